package io.foley4j.pipeline.diffusion;

/**
 * A diffusion or flow sampler over one sample of {@code numel} floats. A run is
 * {@code for i in 0..steps-1: step(i, x, model, noise)}; samplers keep their own scratch (allocated at construction)
 * and any history between steps (DPM-Solver++), cleared by {@link #reset}.
 */
public interface Sampler {
    /** The model time of each step (what {@link Denoiser#predict} receives first at step i). */
    float[] timesteps();

    /** Factor applied to x before the model at step i: 1 for the VP samplers and flow matching here. */
    default float inputScale(int step) {
        return 1f;
    }

    /** Advances x in place from step i to step i + 1, calling the model once (twice for Heun). */
    void step(int i, float[] x, Denoiser model, Noise noise);

    /** Forgets the history of a previous run. */
    default void reset() {}

    default int steps() {
        return timesteps().length;
    }

    /** Runs every step; {@code afterStep} (may be null) sees x after each one. */
    default void sample(float[] x, Denoiser model, Noise noise, java.util.function.IntConsumer afterStep) {
        reset();
        for (int i = 0; i < steps(); i++) {
            step(i, x, model, noise);
            if (afterStep != null) afterStep.accept(i);
        }
    }
}
