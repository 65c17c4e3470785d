package io.foley4j.pipeline.foleynet;

import io.foley4j.engine.WorkerPool;

/** Log-mel frames [frames, nMels] (the decoder's output) to a waveform at {@link #sampleRate()}. */
public interface MelVocoder {
    int sampleRate();

    /** Waveform samples per mel frame. */
    int hop();

    /** {@code frames * hop()} samples. */
    float[] synthesize(float[] logMel, int frames, WorkerPool pool);

    String describe();
}
