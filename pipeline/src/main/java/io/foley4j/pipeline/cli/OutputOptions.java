package io.foley4j.pipeline.cli;

import io.foley4j.pipeline.foley.Progress;
import picocli.CommandLine.Option;

/** --quiet and --json: what a command prints. */
final class OutputOptions {
    @Option(names = "--quiet", description = "print nothing but errors")
    boolean quiet;
    @Option(names = "--json", description = "print one machine-readable JSON object on stdout")
    boolean json;

    /** A progress bar on stderr unless quiet or JSON output is asked for. */
    Progress progress() {
        if (quiet || json) return Progress.NONE;
        java.io.Console c = System.console();
        return new ProgressBar(System.err, c != null && c.isTerminal());
    }
}
