package io.foley4j.pipeline.diffusion;

/** Standard normal values for stochastic sampler steps, drawn in a reproducible order. */
@FunctionalInterface
public interface Noise {
    /** Fills {@code out} with the next out.length values of the stream. */
    void next(float[] out);
}
