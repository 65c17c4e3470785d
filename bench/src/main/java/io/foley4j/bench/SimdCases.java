package io.foley4j.bench;

import io.foley4j.kernels.Elementwise;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The kernels of each op family as SIMD-vs-scalar cases, on shapes of the models Foley4J runs, sized to stay in
 * L2 so the ratio measures computation rather than DRAM. Operands are allocated once per case in {@code arena}.
 */
final class SimdCases {
    private SimdCases() {}

    static final List<String> FAMILIES = List.of(
            "elementwise", "matmul", "norm", "activation", "softmax", "attention", "conv", "rnn");

    static List<SimdCase> family(String name, Arena arena) {
        return switch (name) {
            case "elementwise" -> elementwise(arena);
            default -> List.of();
        };
    }

    static MemorySegment floats(Arena arena, long seed, int n, float scale) {
        return Mem.floats(arena, Data.floats(seed, n, scale));
    }

    static List<SimdCase> elementwise(Arena arena) {
        int n = 4096; // 3 x 16 KiB operands
        MemorySegment a = floats(arena, 1, n, 1), b = floats(arena, 2, n, 1), o = Mem.floats(arena, n);
        String s = "n=" + n;
        return List.of(
                new SimdCase("elementwise", "add", s, 12.0 * n, "B",
                        () -> Elementwise.addScalar(a, b, o, 0, n), () -> Elementwise.addVector(a, b, o, 0, n)),
                new SimdCase("elementwise", "mul", s, 12.0 * n, "B",
                        () -> Elementwise.mulScalar(a, b, o, 0, n), () -> Elementwise.mulVector(a, b, o, 0, n)),
                new SimdCase("elementwise", "scale", s, 8.0 * n, "B",
                        () -> Elementwise.scaleScalar(a, 0.5f, o, 0, n), () -> Elementwise.scaleVector(a, 0.5f, o, 0, n)),
                new SimdCase("elementwise", "addScaled", s, 12.0 * n, "B",
                        () -> Elementwise.addScaledScalar(a, 0.5f, b, o, 0, n),
                        () -> Elementwise.addScaledVector(a, 0.5f, b, o, 0, n)));
    }
}
