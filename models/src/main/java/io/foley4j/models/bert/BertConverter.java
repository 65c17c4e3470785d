package io.foley4j.models.bert;

import io.foley4j.engine.ActivationOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.loader.OnnxModel;
import io.foley4j.loader.OnnxParser;
import io.foley4j.loader.OnnxTensor;
import io.foley4j.loader.OnnxToSafetensors;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts a BERT encoder exported to ONNX by PyTorch / Hugging Face Optimum (all-MiniLM-L6-v2, bge-small-en-v1.5)
 * into the engine's safetensors file under the {@link BertWeights} names, in one {@link BertPrecision}.
 * <p>
 * The exporter keeps embedding, bias and LayerNorm initializers under their Hugging Face names; the linear weights
 * are {@code onnx::MatMul_NNN} [in, out], named here after their MatMul node
 * ({@link OnnxToSafetensors#matmulWeightNames}) and transposed to [out, in]. Every other constant (position_ids,
 * Reshape shapes, scalars) is dropped. The config is stored in the file's metadata.
 */
public final class BertConverter {
    private BertConverter() {}

    private static final Pattern LAYER = Pattern.compile("^encoder\\.layer\\.(\\d+)\\.");

    /** Parses {@code onnx}, infers its config and writes {@code target} in {@code precision}. */
    public static BertConfig convert(Path onnx, BertPrecision precision, Path target) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            OnnxModel m = OnnxParser.parse(onnx, arena);
            BertConfig c = inferConfig(m);
            convert(m, c, precision, target);
            return c;
        }
    }

    /** Writes {@code m}'s weights for an encoder of shape {@code c}; fails listing every tensor the graph lacks. */
    public static void convert(OnnxModel m, BertConfig c, BertPrecision precision, Path target) throws IOException {
        Map<String, String> matmul = OnnxToSafetensors.matmulWeightNames(m);
        Map<String, WeightTable.Expected> table = BertWeights.table(c).expected();
        Set<String> produced = new HashSet<>();
        for (String n : m.constants().keySet()) {
            String name = matmul.getOrDefault(n, n);
            if (table.containsKey(name) && !produced.add(name)) {
                throw new WeightsFormatException(m.graph().name(), n, "a second constant maps to " + name);
            }
        }
        Set<String> missing = new TreeSet<>(table.keySet());
        missing.removeAll(produced);
        if (!missing.isEmpty()) {
            throw new WeightsFormatException(m.graph().name(), null, "not a BERT encoder of " + c + ": "
                    + missing.size() + " tensors missing: " + String.join(", ", missing));
        }
        OnnxToSafetensors.Options o = OnnxToSafetensors.Options.defaults()
                .withNames(n -> {
                    String name = matmul.getOrDefault(n, n);
                    return table.containsKey(name) ? name : null;
                })
                .withTranspose(matmul::containsValue)
                .withPrecision(n -> table.get(n).dtypes().equals(BertWeights.MATRIX) ? precision.weights
                        : DType.F32)
                .withQuantizer((t, dtype, arena) -> LinearOps.quantize(arena, t, dtype))
                .withConfig(c.toJson());
        OnnxToSafetensors.convert(m, target, o);
    }

    /**
     * The config of an exported BERT graph: sizes from the weight shapes; head size from the attention's score
     * scaling constant in layer 0 (a Div by sqrt(headDim) or a Mul by its inverse); GELU (erf form) when the graph
     * has an Erf node. LayerNorm epsilon is 1e-12, the BERT default (the graph's LayerNorm is decomposed).
     */
    public static BertConfig inferConfig(OnnxModel m) throws WeightsFormatException {
        Map<String, OnnxTensor> constants = m.constants();
        Map<String, String> matmul = OnnxToSafetensors.matmulWeightNames(m);
        String src = m.graph().name();
        long[] word = dims(constants, BertWeights.WORD, src);
        long[] pos = dims(constants, BertWeights.POSITION, src);
        long[] type = dims(constants, BertWeights.TYPE, src);
        long[] inter = dims(constants, BertWeights.layer(0, BertWeights.INTERMEDIATE) + ".bias", src);
        int layers = 0;
        for (String n : constants.keySet()) {
            Matcher mt = LAYER.matcher(matmul.getOrDefault(n, n));
            if (mt.find()) layers = Math.max(layers, Integer.parseInt(mt.group(1)) + 1);
        }
        int hidden = (int) word[1];
        int headDim = headDim(m, constants, src);
        if (headDim <= 0 || hidden % headDim != 0) {
            throw new WeightsFormatException(src, null, "attention scaling gives head size " + headDim
                    + ", not a divisor of hidden " + hidden);
        }
        boolean erf = m.graph().nodes().stream().anyMatch(n -> n.opType().equals("Erf"));
        if (!erf) {
            throw new WeightsFormatException(src, null, "no Erf node: the activation is not the erf GELU this "
                    + "inference knows; convert with an explicit BertConfig");
        }
        return new BertConfig((int) word[0], hidden, layers, hidden / headDim, (int) inter[0], (int) pos[0],
                (int) type[0], 1e-12f, ActivationOps.Fn.GELU);
    }

    private static int headDim(OnnxModel m, Map<String, OnnxTensor> constants, String src)
            throws WeightsFormatException {
        List<String> seen = new ArrayList<>();
        for (OnnxModel.Node n : m.graph().nodes()) {
            boolean div = n.opType().equals("Div"), mul = n.opType().equals("Mul");
            if (!(div || mul) || !n.name().startsWith("/encoder/layer.0/attention/self/")) continue;
            for (String in : n.inputs()) {
                OnnxTensor c = constants.get(in);
                if (c == null || c.numel() != 1 || c.type() != io.foley4j.loader.OnnxDataType.FLOAT) continue;
                double v = c.toFloats()[0];
                seen.add(n.name() + " " + v);
                double d = div ? v * v : 1 / (v * v);
                if (d >= 1 && Math.abs(d - Math.rint(d)) < 1e-3) return (int) Math.rint(d);
            }
        }
        throw new WeightsFormatException(src, null, "found no attention score scaling by 1/sqrt(headDim) in "
                + "layer 0 (scalar Div/Mul seen: " + seen + "); convert with an explicit BertConfig");
    }

    private static long[] dims(Map<String, OnnxTensor> constants, String name, String src)
            throws WeightsFormatException {
        OnnxTensor t = constants.get(name);
        if (t == null) throw new WeightsFormatException(src, name, "missing: not a Hugging Face BERT export");
        return t.dims();
    }
}
