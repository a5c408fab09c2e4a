package io.github.e2ekit.e2e.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CachedStepsTest {
    @Test
    void aClassicCacheHitRecordsItsStepAndTheLayerOfTheArrowLineAfterIt() {
        CachedSteps cached = new CachedSteps();
        cached.classicLine(" ---> Using cache", "Step 2/3 : RUN make", true);
        cached.classicLine(" ---> 3f2a1b0c9d8e", "Step 2/3 : RUN make", false);
        cached.classicLine(" ---> 9e8d7c6b5a4f", "Step 3/3 : CMD run", false); // a built layer: no hit before it
        cached.classicLine(" ---> Using cache", null, true); // no step yet

        assertThat(cached.steps).containsExactly("Step 2/3 : RUN make");
        assertThat(cached.layers).containsExactly("3f2a1b0c9d8e");
    }

    @Test
    void aBuildKitHitRecordsItsStepOnly() {
        CachedSteps cached = new CachedSteps();
        cached.hit("[stage-0 2/3] RUN make");

        assertThat(cached.steps).containsExactly("[stage-0 2/3] RUN make");
        assertThat(cached.layers).isEmpty();
    }
}
