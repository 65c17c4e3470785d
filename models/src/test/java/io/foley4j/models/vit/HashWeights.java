package io.foley4j.models.vit;

import io.foley4j.engine.Tensor;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weight scheme of make_reference.py, bit for bit: value[i] = offset + scale * (2u - 1) in double, rounded to
 * float, u = (splitmix64(fnv1a64(name) + i) >>> 40) / 2^24. Lets a test build ViT-B/16-sized weights without a
 * 350 MB checkpoint in the repository.
 */
final class HashWeights {
    private HashWeights() {}

    static long fnv1a64(String name) {
        long h = 0xCBF29CE484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        return h;
    }

    static long splitmix64(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** {offset, scale} of a tensor, as role() in make_reference.py. */
    static double[] role(String name, int[] shape) {
        boolean norm = name.contains("layer_norm") || name.contains("layrnorm") || name.contains("layernorm");
        if (norm && name.endsWith(".weight")) return new double[] {1.0, 0.2};
        if (name.endsWith("bias")) return new double[] {0.0, 0.05};
        if (name.endsWith("class_embedding") || name.endsWith("probe")) return new double[] {0.0, 1.0};
        if (name.endsWith("position_embedding.weight")) return new double[] {0.0, 0.5};
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
        return new double[] {0.0, Math.sqrt(3.0 / fanIn)};
    }

    static Tensor tensor(Arena arena, String name, int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        MemorySegment seg = arena.allocate(n * 4, 64);
        double[] r = role(name, shape);
        long seed = fnv1a64(name);
        for (long i = 0; i < n; i++) {
            double u = (splitmix64(seed + i) >>> 40) * 0x1p-24;
            seg.set(Mem.F32, 4 * i, (float) (r[0] + r[1] * (2.0 * u - 1.0)));
        }
        return Tensor.of(io.foley4j.engine.DType.F32, seg, shape);
    }

    /** Every Hugging Face tensor {@code c} needs, by name. */
    static Map<String, Tensor> huggingFace(VitConfig c, Arena arena) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (HfVitConverter.Row row : HfVitConverter.names(c)) {
            out.computeIfAbsent(row.hf(), name -> tensor(arena, name, row.hfShape()));
        }
        return out;
    }
}
