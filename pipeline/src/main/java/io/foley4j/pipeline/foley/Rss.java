package io.foley4j.pipeline.foley;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory from /proc (Linux); -1 elsewhere. */
public final class Rss {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private Rss() {}

    /** Peak resident set size since start or the last {@link #resetPeak} (VmHWM), bytes. */
    public static long peakBytes() {
        return field("VmHWM:");
    }

    /** Current resident set size (VmRSS), bytes. */
    public static long currentBytes() {
        return field("VmRSS:");
    }

    /** Resets the peak to the current size (Linux >= 4.0: "5" > clear_refs); false when not possible. */
    public static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;   // "kB"
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
