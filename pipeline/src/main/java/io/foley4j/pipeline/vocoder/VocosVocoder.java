package io.foley4j.pipeline.vocoder;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.engine.WorkerPool;
import io.foley4j.kernels.Mem;
import io.foley4j.models.vocoder.Vocos;
import io.foley4j.models.vocoder.VocosConfig;
import io.foley4j.models.vocoder.VocosState;
import io.foley4j.models.vocoder.VocosWeights;
import io.foley4j.pipeline.audio.Stft;
import io.foley4j.pipeline.audio.StftConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Log-mel frames to a waveform: {@link Vocos} predicts the complex spectrum, then an iSTFT with the checkpoint's
 * window, hop {@code hop} and centre padding (torch.istft(center=True), Vocos' {@code padding="center"}) gives
 * {@code (frames - 1) * hop} samples at the model's sample rate (resample with
 * {@link io.foley4j.pipeline.audio.Resampler} when that is not the output rate). Scratch (the model state, the
 * spectrum, the iSTFT plan) is allocated once for {@code maxFrames}; not thread-safe: one instance per thread.
 */
public final class VocosVocoder {
    private final VocosWeights weights;
    private final VocosState state;
    private final Tensor spec;        // [maxFrames, bins, 2]
    private final float[] specHeap;  // the same, as Stft reads it
    private final Stft istft;

    public VocosVocoder(VocosWeights weights, Arena arena) {
        VocosConfig c = weights.config();
        this.weights = weights;
        this.state = new VocosState(c, arena);
        this.spec = Tensor.allocate(arena, DType.F32, c.maxFrames(), c.bins(), 2);
        this.specHeap = new float[c.maxFrames() * c.bins() * 2];
        this.istft = new Stft(StftConfig.of(c.nFft(), c.hop(), weights.window(), true, StftConfig.PadMode.REFLECT));
    }

    public VocosConfig config() {
        return weights.config();
    }

    /** Waveform of mel [frames, nMels] as a new array of {@code (frames - 1) * hop} samples. */
    public float[] synthesize(WorkerPool pool, Tensor mel) {
        float[] out = new float[weights.config().samples(Math.max(1, mel.rank() == 2 ? mel.dim(0) : 1))];
        synthesize(pool, mel, out);
        return out;
    }

    /** Writes the waveform of mel [frames, nMels] into {@code out[0, (frames - 1) * hop)}; returns that count. */
    public int synthesize(WorkerPool pool, Tensor mel, float[] out) {
        VocosConfig c = weights.config();
        if (mel == null || mel.rank() != 2) {
            throw new IllegalArgumentException("vocoder: mel must be [frames, " + c.nMels() + "], got " + mel);
        }
        int frames = mel.dim(0), samples = c.samples(frames);
        if (out == null || out.length < samples) {
            throw new IllegalArgumentException("vocoder: operand out needs " + samples + " samples for " + frames
                    + " frames but has " + (out == null ? "null" : out.length));
        }
        Tensor s = spec.slice(0, frames);
        Vocos.forward(weights, state, pool, mel, s);
        int n = frames * c.bins() * 2;
        MemorySegment.copy(s.data(), Mem.F32, 0, specHeap, 0, n);
        istft.inverse(specHeap, frames, out, samples);
        return samples;
    }
}
