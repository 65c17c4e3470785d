package io.foley4j.pipeline.diffusion;

/** What the denoiser outputs. */
public enum Prediction {
    /** The added noise: x_t = sqrt(abar) x0 + sqrt(1 - abar) eps. */
    EPSILON,
    /** v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans and Ho 2022). */
    V,
    /** Flow matching: x_s = (1 - s) x0 + s noise, velocity = noise - x0. */
    VELOCITY
}
