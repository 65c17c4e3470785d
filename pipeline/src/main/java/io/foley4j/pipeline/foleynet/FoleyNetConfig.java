package io.foley4j.pipeline.foleynet;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.foley4j.models.diffusion.DitConfig;
import io.foley4j.pipeline.foley.FoleyInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code foleynet.json}: the whole Foley model in one folder. Component weights are safetensors files beside it.
 *
 * <pre>
 *   video frames at video.fps --ViT (optional) + motion energy--> features [F, featureDim]
 *   features --aligner (LSTM, FP16 in mixed mode) + linear--> [F, condDim] --linear interpolation--> [T, condDim]
 *   prompt --MiniLM--> text tokens [S, 384]
 *   noise [T, nMels] --DiT sampler with CFG--> log-mel [T, nMels] at decoder.frameRate
 *   log-mel --vocoder--> waveform at vocoder.sampleRate --resampler--> 48 kHz
 * </pre>
 */
public record FoleyNetConfig(String format, String name, Video video, Text text, Aligner aligner, Decoder decoder,
                             Sampler sampler, Vocoder vocoder) {
    public static final String FORMAT = "foleynet/1";
    public static final String FILE = "foleynet.json";

    /**
     * {@code vit}: a converted ViT file (null: motion features only); {@code motion}: append {@code motionFeatures}
     * motion features per frame: the mean absolute luma change from the previous frame (0..1), the {@link
     * io.foley4j.pipeline.motion.MotionEvents} contact strength at that frame (normalized by the clip's largest) and,
     * when motionFeatures is 3, the {@link io.foley4j.pipeline.motion.MotionStop} curve. motionFeatures absent from
     * foleynet.json: 2 (the layout of models written before it existed).
     */
    public record Video(double fps, String vit, boolean motion, Integer motionFeatures) {
        public Video {
            if (motionFeatures == null) motionFeatures = 2;
            if (motionFeatures != 2 && motionFeatures != 3) {
                bad("video.motionFeatures must be 2 (luma change, contact) or 3 (and motion stop), got " + motionFeatures);
            }
        }

        /** Motion columns per frame: motionFeatures, or 0 without motion. */
        public int motionDim() {
            return motion ? motionFeatures : 0;
        }
    }

    /** {@code encoder}: "minilm" (the built-in all-MiniLM-L6-v2); tokens beyond maxTokens are cut. */
    public record Text(String encoder, int maxTokens) {}

    /** LSTM over per-frame features then a linear projection to the decoder's conditioning width. */
    public record Aligner(String file, int inputDim, int hidden, boolean bidirectional, int outputDim) {}

    /**
     * The DiT over normalized log-mel frames; {@code frameRate} mel frames per second; its window is dit.maxFrames
     * frames. The vocoder receives {@code logMel = min(x * melScale + melShift, melMax)} (the training normalization
     * undone; {@code melMax} null: no ceiling), so a decoder that overshoots cannot drive the vocoder past the
     * loudest bins it was trained on.
     */
    public record Decoder(String file, DitConfig dit, double frameRate, double melScale, double melShift,
                          Double melMax) {}

    /** method: ddpm | ddim | dpm++2m | euler | heun; prediction: epsilon | v | velocity (flow matching). */
    public record Sampler(String method, int steps, double cfg, String prediction, int trainSteps, double betaStart,
                          double betaEnd, double eta) {}

    /**
     * kind: "vocos" (file; width dim, intermediate, layers ConvNeXt blocks, windows of maxFrames) or "griffin-lim"
     * (iterations); the mel definition shared with the decoder: natural-log mel of a Hann STFT (nFft, hop) at
     * sampleRate with nMels Slaney-scale bands in [fMin, fMax], clamped at 1e-5 before the log.
     */
    public record Vocoder(String kind, String file, int sampleRate, int nFft, int hop, int nMels, double fMin,
                          double fMax, int iterations, int dim, int intermediate, int layers, int maxFrames) {
        public io.foley4j.models.vocoder.VocosConfig vocos() {
            return new io.foley4j.models.vocoder.VocosConfig(nMels, dim, intermediate, layers, nFft, hop, sampleRate,
                    maxFrames);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public FoleyNetConfig {
        if (!FORMAT.equals(format)) bad("format is '" + format + "', expected '" + FORMAT + "'");
        if (video == null || text == null || aligner == null || decoder == null || sampler == null || vocoder == null) {
            bad("video, text, aligner, decoder, sampler and vocoder are all required");
        }
        if (!(video.fps() > 0 && video.fps() <= 60)) bad("video.fps " + video.fps() + " is outside (0, 60]");
        if (!"minilm".equals(text.encoder())) bad("text.encoder '" + text.encoder() + "' is not 'minilm'");
        if (text.maxTokens() < 2 || text.maxTokens() > 512) bad("text.maxTokens " + text.maxTokens() + " is outside [2, 512]");
        if (decoder.dit() == null) bad("decoder.dit is required");
        if (aligner.outputDim() != decoder.dit().condDim()) {
            bad("aligner.outputDim " + aligner.outputDim() + " != decoder.dit.condDim " + decoder.dit().condDim());
        }
        if (vocoder.nMels() != decoder.dit().inChannels()) {
            bad("vocoder.nMels " + vocoder.nMels() + " != decoder.dit.inChannels " + decoder.dit().inChannels());
        }
        if (Math.abs(decoder.frameRate() - vocoder.sampleRate() / (double) vocoder.hop()) > 1e-6) {
            bad("decoder.frameRate " + decoder.frameRate() + " != vocoder.sampleRate / hop = "
                    + vocoder.sampleRate() / (double) vocoder.hop());
        }
        if (text.maxTokens() > decoder.dit().maxTextTokens()) {
            bad("text.maxTokens " + text.maxTokens() + " > decoder.dit.maxTextTokens " + decoder.dit().maxTextTokens());
        }
        if (decoder.dit().maxBatch() < 2 && sampler.cfg() != 1) bad("decoder.dit.maxBatch must be 2 for guidance");
        if (sampler.steps() < 1 || sampler.steps() > 1000) bad("sampler.steps " + sampler.steps() + " is outside [1, 1000]");
    }

    public int featureDim(int vitDim) {
        return (video.vit() == null ? 0 : vitDim) + video.motionDim();
    }

    public static FoleyNetConfig read(Path dir) throws IOException {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new FoleyInputException(FoleyInputException.Kind.BAD_PARAMETER, "model " + dir + ": no " + FILE
                    + " (a FoleyNet model is a folder holding " + FILE + " and its weight files)");
        }
        try {
            return JSON.readValue(f.toFile(), FoleyNetConfig.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            Throwable c = e.getCause() instanceof IllegalArgumentException ia ? ia : e;
            throw new IOException("model " + f + ": " + c.getMessage(), e);
        }
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, FILE, ".part");
        try {
            JSON.writeValue(tmp.toFile(), this);
            Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void bad(String msg) {
        throw new IllegalArgumentException("foleynet.json: " + msg);
    }
}
