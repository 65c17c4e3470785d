package io.foley4j.pipeline.diffusion;

/** A model evaluation seen by a sampler: out = model(x, t), both [numel] of one sample (guidance included). */
@FunctionalInterface
public interface Denoiser {
    void predict(float[] x, float t, float[] out);
}
