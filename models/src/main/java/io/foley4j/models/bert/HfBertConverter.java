package io.foley4j.models.bert;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.SafetensorsWriter;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face BERT checkpoint (safetensors shards of {@code BertModel}, or of a task model such as
 * {@code BertForMaskedLM} whose encoder is under {@code bert.}) to the engine's file under the {@link BertWeights}
 * names, in one {@link BertPrecision}. Source tensors may be F32, F16 or BF16; weight matrices are already
 * [out, in]. Tensors outside {@code embeddings.} and {@code encoder.} (pooler, task heads) and position_ids
 * buffers are ignored; old checkpoints' LayerNorm {@code gamma}/{@code beta} are read as weight/bias.
 */
public final class HfBertConverter {
    private HfBertConverter() {}

    private static final String PREFIX = "bert.";

    /**
     * Engine name -> (shard, HF name) for every tensor of {@code c}; one error lists every missing, mis-shaped,
     * duplicated and unexpected tensor, naming the shard.
     */
    static Map<String, Source> map(List<SafetensorsFile> shards, BertConfig c, String folder)
            throws WeightsFormatException {
        Map<String, WeightTable.Expected> table = BertWeights.table(c).expected();
        Map<String, Source> found = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (SafetensorsFile f : shards) {
            for (String hf : f.names()) {
                String name = engineName(hf);
                if (name == null) continue;
                WeightTable.Expected e = table.get(name);
                if (e == null) {
                    problems.add("unexpected " + hf + " in " + f.source());
                    continue;
                }
                long[] shape = f.info(hf).shape();
                if (!Arrays.equals(shape, Arrays.stream(e.shape()).asLongStream().toArray())) {
                    problems.add("mis-shaped " + hf + " in " + f.source() + ": " + Arrays.toString(shape)
                            + ", expected " + Arrays.toString(e.shape()));
                }
                Source prev = found.put(name, new Source(f, hf));
                if (prev != null) problems.add("duplicate " + name + " (" + prev.hf + " in " + prev.file.source()
                        + " and " + hf + " in " + f.source() + ")");
            }
        }
        for (String name : table.keySet()) {
            if (!found.containsKey(name)) problems.add("missing " + name);
        }
        if (!problems.isEmpty()) {
            throw new WeightsFormatException(folder, null, "not a Hugging Face BERT checkpoint of " + c + ": "
                    + problems.size() + " problems: " + String.join("; ", problems));
        }
        return found;
    }

    record Source(SafetensorsFile file, String hf) {}

    /** The engine name of an HF tensor, or null when the converter ignores it. */
    static String engineName(String hf) {
        String n = hf.startsWith(PREFIX) ? hf.substring(PREFIX.length()) : hf;
        if (!(n.startsWith("embeddings.") || n.startsWith("encoder.")) || n.endsWith("position_ids")) return null;
        if (n.endsWith("LayerNorm.gamma")) return n.substring(0, n.length() - "gamma".length()) + "weight";
        if (n.endsWith("LayerNorm.beta")) return n.substring(0, n.length() - "beta".length()) + "bias";
        return n;
    }

    /**
     * Writes {@code target}: matrices and embedding tables in {@code precision}, biases and LayerNorm F32, the config
     * in the metadata; {@code folder} names the checkpoint in errors and the {@code source} metadata.
     */
    public static void convert(List<SafetensorsFile> shards, BertConfig c, BertPrecision precision, Path target,
                               String folder) throws IOException {
        Map<String, Source> sources = map(shards, c, folder);
        Map<String, WeightTable.Expected> table = BertWeights.table(c).expected();
        SafetensorsWriter w = new SafetensorsWriter().config(c.toJson()).metadata("source", "huggingface " + folder);
        for (var e : table.values()) {
            Source s = sources.get(e.name());
            DType dtype = e.dtypes().equals(BertWeights.MATRIX) ? precision.weights : DType.F32;
            w.add(e.name(), dtype, e.shape(), () -> convertOne(s, dtype));
        }
        try {
            w.write(target);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** One tensor as F32, then in {@code dtype}; memory the garbage collector frees once the writer moved on. */
    private static Tensor convertOne(Source s, DType dtype) {
        Arena arena = Arena.ofAuto();
        try {
            Tensor f32 = s.file.toF32(s.hf, arena);
            return dtype == DType.F32 ? f32 : LinearOps.quantize(arena, f32, dtype);
        } catch (WeightsFormatException e) {
            throw new UncheckedIOException(e);
        }
    }
}
