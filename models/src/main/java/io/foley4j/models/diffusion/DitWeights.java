package io.foley4j.models.diffusion;

import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.RnnOps;
import io.foley4j.engine.Tensor;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DiT weights ready for the engine: linear weights repacked once at load time (F32_PACKED, or I8_ROW feed-forward
 * weights panel-packed as I8_ROW_PACKED and F16 LSTM weights in the mixed-precision mode). Checkpoint names are in
 * {@link #table} only.
 */
public record DitWeights(DitConfig config, Precision precision, Linear xEmbed, Linear frameEmbed, Linear time1,
                         Linear time2, List<Block> blocks, RnnOps.LstmWeights lstm, Linear finalMod,
                         Linear finalOut) {

    /** Storage of the feed-forward and LSTM weights; everything else is F32_PACKED. */
    public record Precision(DType feedForward, DType lstm) {
        public static final Precision FP32 = new Precision(DType.F32_PACKED, DType.F32);
        /** The design's mixed-precision mode: INT8 (one scale per row) feed-forward, FP16 LSTM. */
        public static final Precision MIXED = new Precision(DType.I8_ROW, DType.F16);
    }

    /** y = x w^T + b, w [out, in] in its engine layout, b F32 [out]. */
    public record Linear(Tensor w, Tensor b) {}

    /** One DiT block: adaLN-Zero modulation, rotary self-attention, cross-attention to text, feed-forward. */
    public record Block(Linear modulation, Linear q, Linear k, Linear v, Linear proj, Tensor crossNormW,
                        Tensor crossNormB, Linear crossQ, Linear crossK, Linear crossV, Linear crossProj, Linear fc1,
                        Linear fc2) {}

    /** Every tensor name and shape of a checkpoint for {@code c} (DiT / Hugging Face style names). */
    public static WeightTable table(DitConfig c) {
        int d = c.hidden(), p = c.patch();
        WeightTable t = new WeightTable();
        linear(t, "x_embedder.proj", d, p * c.inChannels());
        linear(t, "frame_embedder", d, p * c.condDim());
        linear(t, "t_embedder.mlp.0", d, c.freqDim());
        linear(t, "t_embedder.mlp.2", d, d);
        for (int i = 0; i < c.depth(); i++) {
            String b = "blocks." + i + ".";
            linear(t, b + "adaLN_modulation.1", 6 * d, d);
            linear(t, b + "attn.qkv", 3 * d, d);
            linear(t, b + "attn.proj", d, d);
            t.expect(b + "norm_cross.weight", WeightTable.FLOAT, d).expect(b + "norm_cross.bias", WeightTable.FLOAT, d);
            linear(t, b + "cross_attn.q", d, d);
            linear(t, b + "cross_attn.kv", 2 * d, c.textDim());
            linear(t, b + "cross_attn.proj", d, d);
            linear(t, b + "mlp.fc1", c.mlpHidden(), d);
            linear(t, b + "mlp.fc2", d, c.mlpHidden());
        }
        if (c.lstm()) {
            t.expect("lstm.weight_ih_l0", WeightTable.FLOAT, 4 * d, d).expect("lstm.weight_hh_l0", WeightTable.FLOAT, 4 * d, d)
                    .expect("lstm.bias_ih_l0", WeightTable.FLOAT, 4 * d).expect("lstm.bias_hh_l0", WeightTable.FLOAT, 4 * d);
        }
        linear(t, "final_layer.adaLN_modulation.1", 2 * d, d);
        linear(t, "final_layer.linear", p * c.inChannels(), d);
        return t;
    }

    private static void linear(WeightTable t, String name, int out, int in) {
        t.expect(name + ".weight", WeightTable.FLOAT, out, in).expect(name + ".bias", WeightTable.FLOAT, out);
    }

    /** Binds {@code file} against {@link #table} (failing with every problem listed), converts and repacks into arena. */
    public static DitWeights load(SafetensorsFile file, DitConfig c, Precision precision, Arena arena)
            throws WeightsFormatException {
        WeightTable table = table(c);
        table.bind(file);
        // the F32 copies are only the conversion's input: freed once fromF32 has packed or copied what it keeps
        try (Arena scratch = Arena.ofShared()) {
            Map<String, Tensor> f32 = new LinkedHashMap<>();
            for (String name : table.expected().keySet()) {
                f32.put(name, file.toF32(name, scratch));
            }
            file.unload(); // everything was copied out: the file is not read again
            return fromF32(c, precision, f32, arena);
        }
    }

    /** Random weights (normal, std 1/sqrt(in); biases std 0.1) for timing and tests without a checkpoint. */
    public static DitWeights random(DitConfig c, Precision precision, long seed, Arena arena) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Arena scratch = Arena.ofShared()) {
            Map<String, Tensor> f32 = new LinkedHashMap<>();
            for (WeightTable.Expected e : table(c).expected().values()) {
                int[] s = e.shape();
                float[] v = new float[Math.toIntExact(numel(s))];
                double std = s.length == 2 ? 1 / Math.sqrt(s[1]) : 0.1;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (gaussian(rnd) * std + (e.name().endsWith("norm_cross.weight") ? 1 : 0));
                }
                f32.put(e.name(), Tensor.ofFloats(scratch, v, s));
            }
            return fromF32(c, precision, f32, arena);
        }
    }

    private static long numel(int[] s) {
        long n = 1;
        for (int d : s) n *= d;
        return n;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /**
     * Builds the engine layout in {@code arena} from F32 tensors named as in {@link #table}. Nothing it returns
     * refers to {@code f32}'s storage (what is kept as F32 is copied), so the caller may free it afterwards.
     */
    public static DitWeights fromF32(DitConfig c, Precision precision, Map<String, Tensor> f32, Arena arena) {
        int d = c.hidden();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.depth(); i++) {
            String b = "blocks." + i + ".";
            Tensor qkv = f32.get(b + "attn.qkv.weight"), qkvB = f32.get(b + "attn.qkv.bias");
            Tensor kv = f32.get(b + "cross_attn.kv.weight"), kvB = f32.get(b + "cross_attn.kv.bias");
            blocks.add(new Block(packed(f32, b + "adaLN_modulation.1", arena),
                    new Linear(LinearOps.packF32(arena, qkv.slice(0, d)), copy(qkvB.slice(0, d), arena)),
                    new Linear(LinearOps.packF32(arena, qkv.slice(d, 2 * d)), copy(qkvB.slice(d, 2 * d), arena)),
                    new Linear(LinearOps.packF32(arena, qkv.slice(2 * d, 3 * d)),
                            copy(qkvB.slice(2 * d, 3 * d), arena)),
                    packed(f32, b + "attn.proj", arena), copy(f32.get(b + "norm_cross.weight"), arena),
                    copy(f32.get(b + "norm_cross.bias"), arena),
                    packed(f32, b + "cross_attn.q", arena),
                    new Linear(LinearOps.packF32(arena, kv.slice(0, d)), copy(kvB.slice(0, d), arena)),
                    new Linear(LinearOps.packF32(arena, kv.slice(d, 2 * d)), copy(kvB.slice(d, 2 * d), arena)),
                    packed(f32, b + "cross_attn.proj", arena),
                    as(f32, b + "mlp.fc1", precision.feedForward(), arena),
                    as(f32, b + "mlp.fc2", precision.feedForward(), arena)));
        }
        RnnOps.LstmWeights lstm = null;
        if (c.lstm()) {
            lstm = new RnnOps.LstmWeights(convert(f32.get("lstm.weight_ih_l0"), precision.lstm(), arena),
                    convert(f32.get("lstm.weight_hh_l0"), precision.lstm(), arena),
                    copy(f32.get("lstm.bias_ih_l0"), arena), copy(f32.get("lstm.bias_hh_l0"), arena));
        }
        return new DitWeights(c, precision, packed(f32, "x_embedder.proj", arena), packed(f32, "frame_embedder", arena),
                packed(f32, "t_embedder.mlp.0", arena), packed(f32, "t_embedder.mlp.2", arena), List.copyOf(blocks),
                lstm, packed(f32, "final_layer.adaLN_modulation.1", arena), packed(f32, "final_layer.linear", arena));
    }

    private static Linear packed(Map<String, Tensor> f32, String name, Arena arena) {
        return as(f32, name, DType.F32_PACKED, arena);
    }

    private static Linear as(Map<String, Tensor> f32, String name, DType dtype, Arena arena) {
        return new Linear(convert(f32.get(name + ".weight"), dtype, arena), copy(f32.get(name + ".bias"), arena));
    }

    // an F32 tensor's values in a new tensor of arena
    private static Tensor copy(Tensor t, Arena arena) {
        Tensor c = Tensor.allocate(arena, DType.F32, t.shape());
        MemorySegment.copy(t.data(), 0, c.data(), 0, t.numel() * 4);
        return c;
    }

    private static Tensor convert(Tensor w, DType dtype, Arena arena) {
        return switch (dtype) {
            case F32 -> copy(w, arena);
            case F32_PACKED -> LinearOps.packF32(arena, w);
            // panel-packed INT8: widened to F32 panels with vector loads inside the GEMM (LinearOps.packQ8)
            case I8_ROW -> {
                try (Arena rows = Arena.ofConfined()) { // the row-major INT8 copy is only the packing's input
                    yield LinearOps.packQ8(arena, LinearOps.quantize(rows, w, DType.I8_ROW));
                }
            }
            default -> LinearOps.quantize(arena, w, dtype);
        };
    }
}
