package io.github.e2ekit.e2e.teardown;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailsafeSummaryTest {
    @TempDir
    Path dir;

    private Path summary(String result, int errors, int failures) throws Exception {
        Path p = dir.resolve("failsafe-summary.xml");
        Files.writeString(p, """
                <?xml version="1.0" encoding="UTF-8"?>
                <failsafe-summary xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" result="%s" timeout="false">
                    <completed>2</completed>
                    <errors>%d</errors>
                    <failures>%d</failures>
                    <skipped>0</skipped>
                    <flakes>0</flakes>
                    <failureMessage xsi:nil="true"/>
                </failsafe-summary>
                """.formatted(result, errors, failures));
        return p;
    }

    @Test
    void passingTestsAsFailsafeWritesThem() throws Exception {
        assertThat(FailsafeSummary.testsFailed(summary("null", 0, 0))).isFalse();
        assertThat(FailsafeSummary.testsFailed(summary("254", 0, 0))).isFalse();
    }

    @Test
    void failuresErrorsOrAFailingResultCount() throws Exception {
        assertThat(FailsafeSummary.testsFailed(summary("255", 0, 1))).isTrue();
        assertThat(FailsafeSummary.testsFailed(summary("null", 1, 0))).isTrue();
        assertThat(FailsafeSummary.testsFailed(summary("255", 0, 0))).isTrue();
    }

    @Test
    void noSummaryMeansNoFailure() {
        assertThat(FailsafeSummary.testsFailed(dir.resolve("absent.xml"))).isFalse();
        assertThat(FailsafeSummary.testsFailed(null)).isFalse();
    }
}
