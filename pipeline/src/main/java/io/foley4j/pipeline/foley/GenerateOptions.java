package io.foley4j.pipeline.foley;

import java.nio.file.Path;

/**
 * What a caller may choose per generation. {@code steps} and {@code cfg} of 0 / NaN mean "the model's default";
 * {@code seconds} NaN means "exactly as long as the video"; {@code mux} (nullable) asks for a copy of the input
 * video with the generated track added.
 */
public record GenerateOptions(int steps, double cfg, long seed, double seconds, int channels, Path mux) {
    public static final int MAX_STEPS = 1000;
    public static final double MAX_CFG = 100;

    public GenerateOptions {
        if (steps < 0 || steps > MAX_STEPS) bad("steps " + steps + " is outside [1, " + MAX_STEPS + "] (0 = model default)");
        if (!Double.isNaN(cfg) && (!(cfg >= 0) || cfg > MAX_CFG)) bad("cfg " + cfg + " is outside [0, " + MAX_CFG + "]");
        if (!Double.isNaN(seconds) && !(seconds > 0 && seconds <= 3600)) bad("seconds " + seconds + " is outside (0, 3600]");
        if (channels != 1 && channels != 2) bad("channels " + channels + " is not 1 or 2");
    }

    public static GenerateOptions defaults() {
        return new GenerateOptions(0, Double.NaN, 0, Double.NaN, 1, null);
    }

    public GenerateOptions withSteps(int v) { return new GenerateOptions(v, cfg, seed, seconds, channels, mux); }
    public GenerateOptions withCfg(double v) { return new GenerateOptions(steps, v, seed, seconds, channels, mux); }
    public GenerateOptions withSeed(long v) { return new GenerateOptions(steps, cfg, v, seconds, channels, mux); }
    public GenerateOptions withSeconds(double v) { return new GenerateOptions(steps, cfg, seed, v, channels, mux); }
    public GenerateOptions withChannels(int v) { return new GenerateOptions(steps, cfg, seed, seconds, v, mux); }
    public GenerateOptions withMux(Path v) { return new GenerateOptions(steps, cfg, seed, seconds, channels, v); }

    private static void bad(String msg) {
        throw new FoleyInputException(FoleyInputException.Kind.BAD_PARAMETER, msg);
    }
}
