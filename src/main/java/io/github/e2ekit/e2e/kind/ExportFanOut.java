package io.github.e2ekit.e2e.kind;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The full import's fan-out: one read of the engine's export, the same chunks to every node's import. */
final class ExportFanOut {
    private static final int CHUNK = 1 << 20;

    private ExportFanOut() {}

    /** Reads the export once; every chunk goes to every node still reading. */
    static void copy(InputStream in, List<ChunkStream> outs, AtomicLong total)
            throws IOException, InterruptedException {
        boolean[] gone = new boolean[outs.size()];
        while (true) {
            byte[] chunk = in.readNBytes(CHUNK);
            if (chunk.length == 0) {
                break;
            }
            total.addAndGet(chunk.length);
            int alive = 0;
            for (int i = 0; i < outs.size(); i++) {
                if (!gone[i] && outs.get(i).offer(chunk)) {
                    alive++;
                } else {
                    gone[i] = true; // that node's import ended early; its result says why
                }
            }
            if (alive == 0) {
                return;
            }
        }
        for (ChunkStream s : outs) {
            s.end();
        }
    }
}
