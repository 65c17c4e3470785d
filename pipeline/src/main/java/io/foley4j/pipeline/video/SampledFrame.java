package io.foley4j.pipeline.video;

/**
 * Where sample {@code index} came from: requested time {@code index / fps} (s), the decode-order sample number of
 * the frame displayed then (the last one with pts <= time), and that frame's pts in ticks and seconds.
 */
public record SampledFrame(int index, double time, int sample, long pts, double ptsSeconds) {}
