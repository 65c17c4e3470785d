package io.foley4j.pipeline.diffusion;

/**
 * Flow matching (rectified flow) with velocity prediction: x_s = (1 - s) x0 + s noise, v = noise - x0, integrated
 * from s = 1 to 0 over s_i = 1 - i / n; the model sees time 1000 s (as a float).
 * Euler: x += (s_{i+1} - s_i) v(x, s_i). Heun: x' = x + dt v1, then x += dt (v1 + v(x', s_{i+1})) / 2, except at
 * s_{i+1} = 0 where it is the Euler step. Updates run in double and round x to float after every step.
 */
public final class FlowSampler implements Sampler {
    private final boolean heun;
    private final int steps;
    private final float[] v1, v2, xe;

    private FlowSampler(boolean heun, Prediction prediction, int steps, int numel) {
        if (prediction != Prediction.VELOCITY) {
            throw new IllegalArgumentException("FlowSampler: prediction " + prediction + " is not supported (VELOCITY)");
        }
        if (steps < 1 || numel < 1) {
            throw new IllegalArgumentException("FlowSampler: steps " + steps + " and numel " + numel + " must be >= 1");
        }
        this.heun = heun;
        this.steps = steps;
        v1 = new float[numel];
        v2 = new float[numel];
        xe = new float[numel];
    }

    public static FlowSampler euler(Prediction p, int steps, int numel) {
        return new FlowSampler(false, p, steps, numel);
    }

    public static FlowSampler heun(Prediction p, int steps, int numel) {
        return new FlowSampler(true, p, steps, numel);
    }

    private double sigma(int i) {
        return 1 - (double) i / steps;
    }

    @Override
    public float[] timesteps() {
        float[] t = new float[steps];
        for (int i = 0; i < steps; i++) t[i] = (float) (1000 * sigma(i));
        return t;
    }

    @Override
    public void step(int i, float[] x, Denoiser model, Noise noise) {
        if (x.length != v1.length) {
            throw new IllegalArgumentException("FlowSampler.step: x has " + x.length + " values, sampler made for "
                    + v1.length);
        }
        double s = sigma(i), sn = sigma(i + 1), dt = sn - s;
        model.predict(x, (float) (1000 * s), v1);
        for (int j = 0; j < x.length; j++) xe[j] = (float) (x[j] + dt * v1[j]);
        if (heun && sn > 0) {
            model.predict(xe, (float) (1000 * sn), v2);
            double half = dt * 0.5;
            for (int j = 0; j < x.length; j++) x[j] = (float) (x[j] + half * ((double) v1[j] + v2[j]));
        } else {
            System.arraycopy(xe, 0, x, 0, x.length);
        }
    }
}
