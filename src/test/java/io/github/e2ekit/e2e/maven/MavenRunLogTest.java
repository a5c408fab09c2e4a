package io.github.e2ekit.e2e.maven;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.e2ekit.e2e.run.RunLog;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.logging.Log;
import org.junit.jupiter.api.Test;

class MavenRunLogTest {
    @Test
    void eachLevelGoesToMavensLevelPrefixedAndAToolsOutputAsItIs() {
        List<String> maven = new ArrayList<>();
        Log recording = (Log) Proxy.newProxyInstance(
                Log.class.getClassLoader(), new Class<?>[] {Log.class}, (proxy, method, args) -> {
                    maven.add(method.getName() + " " + args[0]);
                    return null;
                });
        RunLog log = new MavenRunLog(recording);

        log.debug("d");
        log.info("i");
        log.warn("w");
        log.error("e");
        log.output("#5 [2/3] RUN make");

        assertThat(maven)
                .containsExactly(
                        "debug e2e: d", "info e2e: i", "warn e2e: w", "error e2e: e", "info #5 [2/3] RUN make");
    }
}
