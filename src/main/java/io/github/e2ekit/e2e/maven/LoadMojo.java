package io.github.e2ekit.e2e.maven;

import io.github.e2ekit.e2e.run.ConfigException;
import io.github.e2ekit.e2e.run.Delivery;
import io.github.e2ekit.e2e.run.Run;
import io.github.e2ekit.e2e.run.Tags;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.crypto.SettingsDecrypter;

/**
 * Puts the exact images of this run into every node of the kind cluster; or, with
 * {@code <load><mode>registry</mode>}, pushes them to a registry and pins them by digest for clusters that pull.
 */
@Mojo(name = "load", defaultPhase = LifecyclePhase.PRE_INTEGRATION_TEST, threadSafe = true)
public class LoadMojo extends AbstractE2eMojo {

    /** Maven settings: {@code <server>} credentials for {@code load.mode=registry}. */
    @Parameter(defaultValue = "${settings}", readonly = true)
    Settings settings;

    @Component
    SettingsDecrypter settingsDecrypter;

    /** Skips this goal. */
    @Parameter(property = "e2e.skip.load", defaultValue = "false")
    boolean skipLoad;

    @Override
    protected boolean skipGoal() {
        return skipLoad;
    }

    @Override
    protected void run(Run run) throws ConfigException {
        LoadConfig l = load != null ? load : new LoadConfig();
        Delivery.Settings s = Delivery.Settings.of(loadMode, l.mode, loadRegistry, l.registry, l.serverId, preload);
        Delivery.of(run, s, new SettingsServers(settings, settingsDecrypter)).deliver(Tags.decide(run));
    }
}
