package io.foley4j.pipeline.cli;

import io.foley4j.pipeline.Foley;
import io.foley4j.pipeline.foley.Precision;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command that loads a model shares. */
final class ModelOptions {
    @Option(names = "--model", defaultValue = "default",
            description = "'default' (sound templates + real recordings) or a FoleyNet model folder")
    String model;
    @Option(names = "--precision", defaultValue = "mixed", description = "fp32 or mixed (INT8/FP16 where the design says)")
    String precision;
    @Option(names = "--threads", defaultValue = "0", description = "worker threads (0 = all cores)")
    int threads;
    @Option(names = "--home", description = "cache folder for converted weights and sounds "
            + "(default: $FOLEY4J_HOME, else ~/.cache/foley4j)")
    Path home;

    Precision precision() {
        return Precision.parse(precision);
    }

    int threads() {
        if (threads < 0 || threads > 1024) {
            throw new IllegalArgumentException("--threads must be in [0, 1024], got " + threads);
        }
        return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
    }

    Path home() {
        return home != null ? home : Foley.defaultHome();
    }

    Foley.Options options() {
        return Foley.Options.defaults().withPrecision(precision()).withThreads(threads()).withHome(home());
    }
}
