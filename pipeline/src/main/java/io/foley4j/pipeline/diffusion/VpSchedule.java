package io.foley4j.pipeline.diffusion;

/**
 * Variance-preserving (DDPM) noise schedule: betas linear in [beta0, beta1] over {@code trainSteps},
 * abar_t = prod_{s <= t} (1 - beta_s) in double; abar(-1) = 1 (the clean end). Inference timesteps use trailing
 * spacing: t_i = floor((n - i) * trainSteps / n) - 1 for i = 0..n-1, followed by -1.
 */
public record VpSchedule(int trainSteps, double[] alphasCumprod) {
    public static VpSchedule linear(int trainSteps, double beta0, double beta1) {
        if (trainSteps < 2) {
            throw new IllegalArgumentException("VpSchedule: trainSteps " + trainSteps + " must be at least 2");
        }
        double[] abar = new double[trainSteps];
        double prod = 1;
        for (int i = 0; i < trainSteps; i++) {
            // numpy linspace: beta0 + i * (beta1 - beta0) / (n - 1), the last value exactly beta1
            double beta = i == trainSteps - 1 ? beta1 : beta0 + i * ((beta1 - beta0) / (trainSteps - 1));
            prod *= 1 - beta;
            abar[i] = prod;
        }
        return new VpSchedule(trainSteps, abar);
    }

    public double abar(int t) {
        return t < 0 ? 1 : alphasCumprod[t];
    }

    /** n + 1 timesteps: the n model timesteps and the final -1. */
    public int[] spaced(int n) {
        if (n < 1 || n > trainSteps) {
            throw new IllegalArgumentException("VpSchedule: " + n + " steps outside [1, " + trainSteps + "]");
        }
        int[] t = new int[n + 1];
        for (int i = 0; i < n; i++) {
            t[i] = (int) ((long) (n - i) * trainSteps / n) - 1;
        }
        t[n] = -1;
        return t;
    }
}
