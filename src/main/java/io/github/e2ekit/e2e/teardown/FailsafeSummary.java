package io.github.e2ekit.e2e.teardown;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.codehaus.plexus.util.xml.Xpp3Dom;
import org.codehaus.plexus.util.xml.Xpp3DomBuilder;
import org.codehaus.plexus.util.xml.pull.XmlPullParserException;

/** Reads failsafe's summary file to tell whether the integration tests failed. */
public final class FailsafeSummary {
    private FailsafeSummary() {}

    /** True when the summary reports failures or errors, or a failing result code; false when absent. */
    public static boolean testsFailed(Path summary) {
        if (summary == null || !Files.isRegularFile(summary)) {
            return false;
        }
        try (Reader r = Files.newBufferedReader(summary)) {
            Xpp3Dom dom = Xpp3DomBuilder.build(r);
            String result = dom.getAttribute("result");
            String code = result == null ? "" : result.trim();
            // failsafe writes result="null" on success, 254 when no test ran, 255 on failures
            if (!code.isEmpty() && !code.equals("null") && !code.equals("0") && !code.equals("254")) {
                return true;
            }
            return count(dom, "failures") > 0 || count(dom, "errors") > 0 || child(dom, "failureMessage") != null;
        } catch (IOException | XmlPullParserException e) {
            return false;
        }
    }

    private static int count(Xpp3Dom dom, String name) {
        Xpp3Dom c = dom.getChild(name);
        try {
            return c == null || c.getValue() == null
                    ? 0
                    : Integer.parseInt(c.getValue().trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String child(Xpp3Dom dom, String name) {
        Xpp3Dom c = dom.getChild(name);
        return c == null || c.getValue() == null || c.getValue().isBlank() ? null : c.getValue();
    }
}
