package io.foley4j.models.vocoder;

import io.foley4j.engine.ConvOps;
import io.foley4j.engine.DType;
import io.foley4j.engine.LinearOps;
import io.foley4j.engine.Tensor;
import io.foley4j.kernels.Mem;
import io.foley4j.loader.SafetensorsFile;
import io.foley4j.loader.WeightTable;
import io.foley4j.loader.WeightsFormatException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Vocos weights in the engine's layouts, repacked once at load time: the embedding conv as a linear layer over
 * im2col rows, depthwise taps as [kw, dim], pointwise layers F32_PACKED with the layer scale gamma folded into the
 * second one. Checkpoint names (Vocos' state_dict) are in {@link #table} only.
 *
 * @param embed  y = col w^T + b, w [dim, KERNEL * nMels] with column k * nMels + m = conv weight [dim, m, k]
 * @param window the iSTFT synthesis window [nFft] (the head's buffer: a periodic Hann in Vocos)
 */
public record VocosWeights(VocosConfig config, Linear embed, Tensor normW, Tensor normB, List<Block> blocks,
                           Tensor finalNormW, Tensor finalNormB, Linear out, float[] window) {

    /** y = x w^T + b, w [out, in] in its engine layout, b F32 [out]. */
    public record Linear(Tensor w, Tensor b) {}

    /** One ConvNeXt block; pw2 already carries gamma: (gamma W2, gamma b2). */
    public record Block(Tensor dwTaps, Tensor dwBias, Tensor normW, Tensor normB, Linear pw1, Linear pw2) {}

    /** Every tensor name and shape of a checkpoint for {@code c} (vocos.Vocos state_dict names). */
    public static WeightTable table(VocosConfig c) {
        int d = c.dim(), k = VocosConfig.KERNEL;
        WeightTable t = new WeightTable();
        t.expect("backbone.embed.weight", WeightTable.FLOAT, d, c.nMels(), k)
                .expect("backbone.embed.bias", WeightTable.FLOAT, d);
        vector(t, "backbone.norm", d);
        for (int i = 0; i < c.layers(); i++) {
            String b = "backbone.convnext." + i + ".";
            t.expect(b + "dwconv.weight", WeightTable.FLOAT, d, 1, k).expect(b + "dwconv.bias", WeightTable.FLOAT, d);
            vector(t, b + "norm", d);
            t.expect(b + "pwconv1.weight", WeightTable.FLOAT, c.intermediate(), d)
                    .expect(b + "pwconv1.bias", WeightTable.FLOAT, c.intermediate())
                    .expect(b + "pwconv2.weight", WeightTable.FLOAT, d, c.intermediate())
                    .expect(b + "pwconv2.bias", WeightTable.FLOAT, d)
                    .expect(b + "gamma", WeightTable.FLOAT, d);
        }
        vector(t, "backbone.final_layer_norm", d);
        t.expect("head.out.weight", WeightTable.FLOAT, c.nFft() + 2, d)
                .expect("head.out.bias", WeightTable.FLOAT, c.nFft() + 2)
                .expect("head.istft.window", WeightTable.FLOAT, c.nFft());
        return t;
    }

    private static void vector(WeightTable t, String name, int d) {
        t.expect(name + ".weight", WeightTable.FLOAT, d).expect(name + ".bias", WeightTable.FLOAT, d);
    }

    /** Binds {@code file} against {@link #table} (failing with every problem listed) and repacks into arena. */
    public static VocosWeights load(SafetensorsFile file, VocosConfig c, Arena arena) throws WeightsFormatException {
        WeightTable table = table(c);
        table.bind(file);
        Map<String, Tensor> f32 = new LinkedHashMap<>();
        for (String name : table.expected().keySet()) {
            f32.put(name, file.toF32(name, arena));
        }
        return fromF32(c, f32, arena);
    }

    /**
     * Random weights for timing and tests without a checkpoint: matrices and convs normal with std 1/sqrt(fan-in),
     * biases std 0.1, norms 1 / 0, gamma 0.1 (a small layer scale, as Vocos initialises 1/layers), periodic Hann.
     */
    public static VocosWeights random(VocosConfig c, long seed, Arena arena) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> f32 = new LinkedHashMap<>();
        for (WeightTable.Expected e : table(c).expected().values()) {
            int[] s = e.shape();
            String n = e.name();
            float[] v = new float[Math.toIntExact(numel(s))];
            if (n.endsWith("window")) {
                for (int i = 0; i < v.length; i++) v[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / v.length));
            } else if (n.endsWith("gamma")) {
                java.util.Arrays.fill(v, 0.1f);
            } else if (n.contains("norm")) {
                java.util.Arrays.fill(v, n.endsWith("weight") ? 1f : 0f);
            } else {
                double std = s.length >= 2 ? 1 / Math.sqrt(numel(s) / s[0]) : 0.1;
                for (int i = 0; i < v.length; i++) v[i] = (float) (gaussian(rnd) * std);
            }
            f32.put(n, Tensor.ofFloats(arena, v, s));
        }
        return fromF32(c, f32, arena);
    }

    private static long numel(int[] s) {
        long n = 1;
        for (int d : s) n *= d;
        return n;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Builds the engine layout from F32 tensors named as in {@link #table}. */
    public static VocosWeights fromF32(VocosConfig c, Map<String, Tensor> f32, Arena arena) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String b = "backbone.convnext." + i + ".";
            blocks.add(new Block(ConvOps.depthwiseTaps(arena, f32.get(b + "dwconv.weight")), f32.get(b + "dwconv.bias"),
                    f32.get(b + "norm.weight"), f32.get(b + "norm.bias"),
                    new Linear(LinearOps.packF32(arena, f32.get(b + "pwconv1.weight")), f32.get(b + "pwconv1.bias")),
                    scaled(f32.get(b + "pwconv2.weight"), f32.get(b + "pwconv2.bias"), f32.get(b + "gamma"), arena)));
        }
        Linear embed = new Linear(LinearOps.packF32(arena, embedRows(f32.get("backbone.embed.weight"), arena)),
                f32.get("backbone.embed.bias"));
        Linear out = new Linear(LinearOps.packF32(arena, f32.get("head.out.weight")), f32.get("head.out.bias"));
        return new VocosWeights(c, embed, f32.get("backbone.norm.weight"), f32.get("backbone.norm.bias"),
                List.copyOf(blocks), f32.get("backbone.final_layer_norm.weight"),
                f32.get("backbone.final_layer_norm.bias"), out, f32.get("head.istft.window").toFloats());
    }

    /** Conv weight [dim, nMels, kw] to [dim, kw * nMels]: row co, column k * nMels + m = w[co, m, k]. */
    private static Tensor embedRows(Tensor w, Arena arena) {
        int d = w.dim(0), m = w.dim(1), kw = w.dim(2);
        Tensor r = Tensor.allocate(arena, DType.F32, d, kw * m);
        for (int co = 0; co < d; co++) {
            for (int ci = 0; ci < m; ci++) {
                for (int k = 0; k < kw; k++) {
                    r.data().setAtIndex(Mem.F32, ((long) co * kw + k) * m + ci,
                            w.data().getAtIndex(Mem.F32, ((long) co * m + ci) * kw + k));
                }
            }
        }
        return r;
    }

    /** Layer scale folded in: gamma * (x W^T + b) = x (diag(gamma) W)^T + gamma b. */
    private static Linear scaled(Tensor w, Tensor b, Tensor gamma, Arena arena) {
        int out = w.dim(0), in = w.dim(1);
        float[] wf = w.toFloats(), bf = b.toFloats(), g = gamma.toFloats();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) wf[o * in + i] *= g[o];
            bf[o] *= g[o];
        }
        return new Linear(LinearOps.packF32(arena, Tensor.ofFloats(arena, wf, out, in)), Tensor.ofFloats(arena, bf, out));
    }
}
