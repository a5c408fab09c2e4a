package io.github.e2ekit.e2e.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.maven.execution.AbstractExecutionListener;
import org.apache.maven.execution.DefaultMavenExecutionRequest;
import org.apache.maven.execution.DefaultMavenExecutionResult;
import org.apache.maven.execution.ExecutionEvent;
import org.apache.maven.execution.MavenExecutionRequest;
import org.apache.maven.execution.MavenSession;
import org.junit.jupiter.api.Test;

class BuildEndTest {
    @Test
    @SuppressWarnings("deprecation")
    void theBuildsEndIsHeardOnceAndEveryEventStillReachesMavensOwnListener() {
        MavenExecutionRequest request = new DefaultMavenExecutionRequest();
        List<String> maven = new ArrayList<>();
        request.setExecutionListener(new AbstractExecutionListener() {
            @Override
            public void mojoStarted(ExecutionEvent event) {
                maven.add("mojoStarted");
            }

            @Override
            public void sessionEnded(ExecutionEvent event) {
                maven.add("sessionEnded");
            }
        });
        MavenSession session = new MavenSession(null, null, request, new DefaultMavenExecutionResult());
        List<String> ended = new ArrayList<>();
        Runnable end = () -> ended.add("ended");
        BuildEnd.watch(session, end);
        BuildEnd.watch(session, end); // a second goal of the build: still once
        request.getExecutionListener().mojoStarted(null);
        assertThat(ended).isEmpty();
        request.getExecutionListener().sessionEnded(null);
        assertThat(ended).containsExactly("ended");
        assertThat(maven).containsExactly("mojoStarted", "sessionEnded");
    }
}
