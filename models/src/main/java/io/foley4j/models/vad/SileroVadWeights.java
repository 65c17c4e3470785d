package io.foley4j.models.vad;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.OnnxModel;
import io.foley4j.loader.OnnxParser;
import io.foley4j.loader.OnnxTensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights of Silero VAD v5 for one sample rate: STFT basis [2*bins, 1, filter], four encoder convs
 * ([128, bins, 3], [64, 128, 3], [64, 64, 3], [128, 64, 3], each with bias, ReLU after), an LSTMCell of hidden 128
 * (PyTorch order i, f, g, o; W_ih, W_hh in F32, F16 or I8_ROW) and a 1x1 conv head [128] + bias before a sigmoid.
 */
public record SileroVadWeights(SileroVadConfig config, Tensor stftBasis, Tensor[] encW, Tensor[] encB,
                               RnnOps.LstmWeights lstm, float[] headW, float headB) {

    /** Encoder conv strides (kernel 3, padding 1). */
    static final int[] ENC_STRIDE = {1, 2, 2, 1};

    /**
     * The ONNX file's tensor names (PyTorch state-dict names); each sample rate's copy lives in one branch of the
     * top-level If on {@code sr == 16000}: then = 16 kHz, else = 8 kHz.
     */
    static final String[] NAMES = {"stft.forward_basis_buffer",
        "encoder.0.reparam_conv.weight", "encoder.0.reparam_conv.bias", "encoder.1.reparam_conv.weight",
        "encoder.1.reparam_conv.bias", "encoder.2.reparam_conv.weight", "encoder.2.reparam_conv.bias",
        "encoder.3.reparam_conv.weight", "encoder.3.reparam_conv.bias",
        "decoder.rnn.weight_ih", "decoder.rnn.weight_hh", "decoder.rnn.bias_ih", "decoder.rnn.bias_hh",
        "decoder.decoder.2.weight", "decoder.decoder.2.bias"};

    static String key(int sampleRate, String name) {
        String branch = sampleRate == 16_000 ? "then_branch" : "else_branch";
        return "If_0/" + branch + "/If_0_" + branch + "__Inline_0__" + name;
    }

    /**
     * Loads the weights for {@code sampleRate} from {@code silero_vad_v5.onnx} (memory-mapped in {@code arena},
     * which must outlive the weights); LSTM matrices are converted to {@code lstmType} (F32, F16 or I8_ROW).
     */
    public static SileroVadWeights load(Path onnx, int sampleRate, DType lstmType, Arena arena) throws IOException {
        SileroVadConfig cfg = SileroVadConfig.forRate(sampleRate);
        if (lstmType != DType.F32 && lstmType != DType.F16 && lstmType != DType.I8_ROW) {
            throw new IllegalArgumentException("Silero VAD: LSTM weights must be F32, F16 or I8_ROW, got " + lstmType);
        }
        Map<String, OnnxTensor> all = OnnxParser.parse(onnx, arena).constants();
        Map<String, Tensor> t = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : NAMES) {
            OnnxTensor o = all.get(key(sampleRate, name));
            Tensor v = o == null ? null : o.toTensor();
            if (v == null || v.dtype() != DType.F32) missing.add(name + (o == null ? "" : " (" + o + ", want FLOAT)"));
            else t.put(name, v);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Silero VAD: " + onnx + " lacks " + missing + " for " + sampleRate
                    + " Hz (expected silero_vad_v5.onnx from @ricky0123/vad-web)");
        }
        int h = cfg.hidden(), bins = cfg.bins();
        expect(t, "stft.forward_basis_buffer", 2 * bins, 1, cfg.filter());
        int[][] enc = {{128, bins, 3}, {64, 128, 3}, {64, 64, 3}, {h, 64, 3}};
        Tensor[] encW = new Tensor[4], encB = new Tensor[4];
        for (int i = 0; i < 4; i++) {
            encW[i] = expect(t, "encoder." + i + ".reparam_conv.weight", enc[i]);
            encB[i] = expect(t, "encoder." + i + ".reparam_conv.bias", enc[i][0]);
        }
        Tensor wih = expect(t, "decoder.rnn.weight_ih", 4 * h, h), whh = expect(t, "decoder.rnn.weight_hh", 4 * h, h);
        RnnOps.LstmWeights lstm = new RnnOps.LstmWeights(convert(arena, wih, lstmType), convert(arena, whh, lstmType),
                expect(t, "decoder.rnn.bias_ih", 4 * h), expect(t, "decoder.rnn.bias_hh", 4 * h));
        float[] headW = expect(t, "decoder.decoder.2.weight", 1, h, 1).toFloats();
        float headB = expect(t, "decoder.decoder.2.bias", 1).toFloats()[0];
        return new SileroVadWeights(cfg, t.get("stft.forward_basis_buffer"), encW, encB, lstm, headW, headB);
    }

    private static Tensor convert(Arena arena, Tensor w, DType to) {
        return to == DType.F32 ? w : LinearOps.quantize(arena, w, to);
    }

    private static Tensor expect(Map<String, Tensor> t, String name, int... shape) {
        Tensor v = t.get(name);
        if (!Arrays.equals(v.shape(), shape)) {
            throw new IllegalArgumentException("Silero VAD: tensor " + name + " is " + Arrays.toString(v.shape())
                    + ", expected " + Arrays.toString(shape));
        }
        return v;
    }
}
