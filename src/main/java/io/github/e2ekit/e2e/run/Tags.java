package io.github.e2ekit.e2e.run;

import io.github.e2ekit.e2e.image.ImageSpec;
import io.github.e2ekit.e2e.source.BuildContextException;
import io.github.e2ekit.e2e.tag.PhaseZero;
import io.github.e2ekit.e2e.tag.TagDecision;
import io.github.e2ekit.e2e.tag.TagTemplate;
import io.github.e2ekit.e2e.tag.TagTemplateException;
import java.time.Clock;
import java.util.List;

/** Phase 0 of a run: the decided tags, computed once per build; {@code build} without {@code tag} runs it too. */
public final class Tags {
    private Tags() {}

    public static List<TagDecision> decide(Run run) throws ConfigException {
        // not the run's own monitor: Phase 0 may take long (a large context, git), and the exit-time teardown after
        // Ctrl-C needs the run (its port-forwards, engine) meanwhile
        synchronized (run.phaseZero) {
            if (run.decisions() != null) {
                return run.decisions();
            }
            RunConfiguration config = run.config();
            List<ImageSpec> specs = config.images().specs();
            List<TagDecision> decided;
            try {
                decided = new PhaseZero(
                                config.service(),
                                run.id(),
                                config.version(),
                                new TagTemplate(config.tagTemplate()),
                                Clock.systemUTC())
                        .decide(specs);
            } catch (TagTemplateException e) {
                throw new ConfigException("tagTemplate", e.getMessage());
            } catch (BuildContextException e) {
                throw new ConfigException("images", e.getMessage());
            }
            String expires = config.expiry().toString();
            for (TagDecision t : decided) {
                run.ledger().images().intend(t.id(), t.reference().toString(), t.tag(), t.digest(), t.git(), expires);
            }
            for (TagDecision t : decided) {
                run.export("e2e.image." + t.id(), t.reference().toString());
                run.export("e2e.tag." + t.id(), t.tag());
                run.export("e2e.digest." + t.id(), t.digest());
                run.log()
                        .info(t.id() + " → " + t.reference() + " (sources sha256:"
                                + t.digest().substring(0, 12) + "…)");
            }
            run.decided(decided);
            return run.decisions();
        }
    }
}
