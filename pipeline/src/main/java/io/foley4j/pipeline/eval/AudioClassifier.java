package io.foley4j.pipeline.eval;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.foley4j.loader.SafetensorsFile;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The evaluation classifier of the training recipe ({@code recipe/classifier.py}): coarse sound categories from a
 * [frames, 64] natural-log mel crop. Features, in the script's order: over the active frames (envelope >= the file's
 * {@code active}, the envelope being the log of the frame's mel energy mapped to 1 at the crop's loudest frame and 0
 * at 60 dB below) the per-band mean, standard deviation and mean absolute change between consecutive active frames,
 * then the envelope's active fraction, mean, standard deviation and mean absolute change: 3 x nMels + 4 values.
 * Network: standardized features -> fc1, ReLU -> fc2, ReLU (the embedding) -> head (one logit per class).
 * A tiny MLP evaluated once per clip, so plain loops.
 */
public final class AudioClassifier {
    private static final double ENV_RANGE = Math.log(1000.0);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> classes;
    private final Map<String, String> captions;          // caption -> class
    private final double active;
    private final int frames;
    private final float[] mean, std;
    private final Layer fc1, fc2, head;

    private record Layer(float[] w, float[] b, int in, int out) {
        float[] apply(float[] x, boolean relu) {
            float[] y = new float[out];
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) s += (double) w[o * in + i] * x[i];
                y[o] = relu ? (float) Math.max(0, s) : (float) s;
            }
            return y;
        }
    }

    private AudioClassifier(List<String> classes, Map<String, String> captions, double active, int frames,
                            float[] mean, float[] std, Layer fc1, Layer fc2, Layer head) {
        this.classes = classes;
        this.captions = captions;
        this.active = active;
        this.frames = frames;
        this.mean = mean;
        this.std = std;
        this.fc1 = fc1;
        this.fc2 = fc2;
        this.head = head;
    }

    /** Reads the file {@code recipe/classifier.py} writes; names what is missing or mis-shaped. */
    public static AudioClassifier load(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofConfined()) {
            Map<String, String> meta = f.metadata();
            if (!"foley4j-audio-classifier/1".equals(meta.get("format"))) {
                throw new IOException(file + ": not an audio classifier (metadata format = " + meta.get("format") + ")");
            }
            List<String> classes = JSON.readValue(meta.get("classes"), new TypeReference<List<String>>() {});
            Map<String, String> captions = JSON.readValue(meta.get("captions"), new TypeReference<Map<String, String>>() {});
            float[] mean = f.toF32("mean", arena).toFloats(), std = f.toF32("std", arena).toFloats();
            Layer fc1 = layer(f, "fc1", mean.length, arena), fc2 = layer(f, "fc2", fc1.out, arena);
            Layer head = layer(f, "head", fc2.out, arena);
            if (std.length != mean.length || head.out != classes.size() || (mean.length - 4) % 3 != 0) {
                throw new IOException(file + ": " + mean.length + " features, " + std.length + " scales, "
                        + head.out + " logits for " + classes.size() + " classes do not fit together");
            }
            return new AudioClassifier(List.copyOf(classes), Map.copyOf(captions),
                    Double.parseDouble(meta.get("active")), Integer.parseInt(meta.get("frames")), mean, std, fc1, fc2, head);
        }
    }

    private static Layer layer(SafetensorsFile f, String name, int in, Arena arena) throws IOException {
        float[] w = f.toF32(name + ".weight", arena).toFloats(), b = f.toF32(name + ".bias", arena).toFloats();
        if (w.length != (long) b.length * in) {
            throw new IOException(f.source() + ": " + name + ".weight has " + w.length + " values, expected ["
                    + b.length + ", " + in + "]");
        }
        return new Layer(w, b, in, b.length);
    }

    public List<String> classes() {
        return classes;
    }

    /** The class index of a training caption, or -1 when the caption is in no class. */
    public int classOf(String caption) {
        String c = captions.get(caption);
        return c == null ? -1 : classes.indexOf(c);
    }

    /** Crop length in mel frames the classifier was trained on. */
    public int frames() {
        return frames;
    }

    public int nMels() {
        return (mean.length - 4) / 3;
    }

    public int embeddingDim() {
        return fc2.out;
    }

    /** The features of a log-mel crop [frames, nMels] (see the class comment). */
    public float[] features(float[] logMel) {
        return features(logMel, nMels(), active);
    }

    static float[] features(float[] logMel, int nMels, double activeLevel) {
        int t = logMel.length / nMels;
        if (t < 2 || logMel.length != t * nMels) {
            throw new IllegalArgumentException("AudioClassifier: log-mel must be [frames >= 2, " + nMels + "], got "
                    + logMel.length + " values");
        }
        double[] env = envelopeOf(logMel, nMels);
        boolean[] act = new boolean[t];
        int nAct = 0;
        for (int i = 0; i < t; i++) {
            act[i] = env[i] >= activeLevel;
            if (act[i]) nAct++;
        }
        double[] mean = new double[nMels], var = new double[nMels], flux = new double[nMels];
        for (int i = 0; i < t; i++) {
            if (!act[i]) continue;
            for (int m = 0; m < nMels; m++) mean[m] += logMel[i * nMels + m];
        }
        for (int m = 0; m < nMels; m++) mean[m] /= nAct;
        int pairs = 0;
        for (int i = 0; i < t; i++) {
            if (!act[i]) continue;
            for (int m = 0; m < nMels; m++) {
                double d = logMel[i * nMels + m] - mean[m];
                var[m] += d * d;
            }
            if (i + 1 < t && act[i + 1]) {
                pairs++;
                for (int m = 0; m < nMels; m++) flux[m] += Math.abs(logMel[(i + 1) * nMels + m] - logMel[i * nMels + m]);
            }
        }
        float[] f = new float[3 * nMels + 4];
        for (int m = 0; m < nMels; m++) {
            f[m] = (float) mean[m];
            f[nMels + m] = (float) Math.sqrt(var[m] / nAct);
            f[2 * nMels + m] = pairs == 0 ? 0f : (float) (flux[m] / pairs);
        }
        double eMean = 0, eVar = 0, eFlux = 0;
        for (int i = 0; i < t; i++) eMean += env[i];
        eMean /= t;
        for (int i = 0; i < t; i++) eVar += (env[i] - eMean) * (env[i] - eMean);
        for (int i = 0; i + 1 < t; i++) eFlux += Math.abs(env[i + 1] - env[i]);
        f[3 * nMels] = nAct / (float) t;
        f[3 * nMels + 1] = (float) eMean;
        f[3 * nMels + 2] = (float) Math.sqrt(eVar / t);
        f[3 * nMels + 3] = (float) (eFlux / (t - 1));
        return f;
    }

    /**
     * [frames] in [0, 1]: the log of the frame's mel energy, 1 at the loudest frame, 0 at 60 dB below (the recipe's
     * {@code data.envelope}: the decoder's condition and the classifier's notion of "active").
     */
    public static double[] envelopeOf(float[] logMel, int nMels) {
        int t = logMel.length / nMels;
        double[] env = new double[t];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < t; i++) {
            double s = 0;
            for (int m = 0; m < nMels; m++) s += Math.exp(logMel[i * nMels + m]);
            env[i] = Math.log(s);
            max = Math.max(max, env[i]);
        }
        for (int i = 0; i < t; i++) env[i] = Math.min(1, Math.max(0, 1 + (env[i] - max) / ENV_RANGE));
        return env;
    }

    /** The embedding (fc2 after ReLU) of a log-mel crop [frames, nMels]: what the Fréchet distance compares. */
    public float[] embedding(float[] logMel) {
        float[] x = features(logMel);
        for (int i = 0; i < x.length; i++) x[i] = (x[i] - mean[i]) / std[i];
        return fc2.apply(fc1.apply(x, true), true);
    }

    public float[] logitsOfEmbedding(float[] embedding) {
        return head.apply(embedding, false);
    }

    /** The index of the largest logit. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
