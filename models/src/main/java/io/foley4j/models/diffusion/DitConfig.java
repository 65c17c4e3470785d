package io.foley4j.models.diffusion;

/**
 * Shape of a DiT denoiser over audio frames x [T, inChannels] (mel frames or a latent sequence). Frames are grouped
 * {@code patch} at a time into N = T / patch tokens of width {@code hidden}; T may be any multiple of {@code patch} up
 * to {@code maxFrames}. Text tokens [S <= maxTextTokens, textDim] condition every block through cross-attention; a
 * per-frame sequence [T, condDim] (the video path) is patchified, projected and added to the tokens.
 *
 * @param freqDim   width of the sinusoidal timestep features fed to the timestep MLP
 * @param maxBatch  batch entries per forward: 2 runs classifier-free guidance as one batched pass
 * @param lstm      one LSTM layer (hidden = hidden) added residually after the transformer blocks
 */
public record DitConfig(int inChannels, int patch, int hidden, int heads, int depth, int mlpHidden, int textDim,
                        int condDim, int freqDim, int maxFrames, int maxTextTokens, int maxBatch, boolean lstm,
                        float eps) {
    public DitConfig {
        if (inChannels < 1 || patch < 1 || hidden < 1 || heads < 1 || depth < 0 || mlpHidden < 1 || textDim < 1
                || condDim < 1 || freqDim < 2 || maxFrames < patch || maxTextTokens < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("DitConfig: sizes must be positive, got " + this);
        }
        if (hidden % heads != 0 || (hidden / heads) % 2 != 0 || freqDim % 2 != 0) {
            throw new IllegalArgumentException("DitConfig: hidden " + hidden + " must split into " + heads
                    + " heads of even size, and freqDim " + freqDim + " must be even");
        }
    }

    /** The configuration of the committed PyTorch reference (models/src/test/resources/diffusion). */
    public static DitConfig tiny() {
        return new DitConfig(8, 2, 32, 2, 2, 64, 16, 12, 32, 32, 8, 2, true, 1e-6f);
    }

    /**
     * The default size used for timing: a 64-channel latent at ~43 frames/s (10 s = 430 frames), patch 2, width 384,
     * 8 blocks, 6 heads, MiniLM-sized text tokens (384), a 384-wide video feature per frame, one LSTM layer.
     */
    public static DitConfig defaults() {
        return new DitConfig(64, 2, 384, 6, 8, 1536, 384, 384, 256, 1024, 77, 2, true, 1e-6f);
    }

    public int headDim() {
        return hidden / heads;
    }

    public int maxTokens() {
        return maxFrames / patch;
    }
}
