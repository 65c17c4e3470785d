package io.foley4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** SIMD vs scalar for elementwise ops at the JVM's vector width (surefire runs this at 128, 256 and 512). */
@Tag("simd")
class ElementwiseTest {

    interface Op {
        void run(MemorySegment a, MemorySegment b, MemorySegment out, int from, int to);
    }

    /** Elementwise ops are exact: the SIMD path must equal the scalar one bit for bit (fma rounds once in both). */
    private static void exact(String name, Op scalar, Op vector) {
        try (Arena arena = Arena.ofConfined()) {
            for (int n : Rand.TAIL_SIZES) {
                for (int from : new int[] {0, 1, 5}) {
                    if (from > n) continue;
                    MemorySegment a = Rand.segment(arena, 1, n, 4f), b = Rand.segment(arena, 2, n, 4f);
                    MemorySegment o1 = Mem.floats(arena, n), o2 = Mem.floats(arena, n);
                    scalar.run(a, b, o1, from, n);
                    vector.run(a, b, o2, from, n);
                    Diff d = Diff.of(Mem.toFloats(o2), Mem.toFloats(o1));
                    assertEquals(0.0, d.maxAbs(), name + " n=" + n + " from=" + from + " at " + Simd.describe() + ": " + d);
                }
            }
        }
    }

    @Test
    void addMatchesScalar() {
        exact("add", Elementwise::addScalar, Elementwise::addVector);
    }

    @Test
    void mulMatchesScalar() {
        exact("mul", Elementwise::mulScalar, Elementwise::mulVector);
    }

    @Test
    void scaleMatchesScalar() {
        exact("scale", (a, b, o, f, t) -> Elementwise.scaleScalar(a, 0.37f, o, f, t),
                (a, b, o, f, t) -> Elementwise.scaleVector(a, 0.37f, o, f, t));
    }

    @Test
    void addScaledMatchesScalar() {
        exact("addScaled", (a, b, o, f, t) -> Elementwise.addScaledScalar(a, -1.5f, b, o, f, t),
                (a, b, o, f, t) -> Elementwise.addScaledVector(a, -1.5f, b, o, f, t));
    }

    /** In place ({@code out} is an input, as the models call them): the unrolled loops load before they store. */
    @Test
    void inPlaceMatchesScalar() {
        Op[][] ops = {
                {Elementwise::addScalar, Elementwise::addVector},
                {Elementwise::mulScalar, Elementwise::mulVector},
                {(a, b, o, f, t) -> Elementwise.scaleScalar(a, 0.37f, o, f, t),
                        (a, b, o, f, t) -> Elementwise.scaleVector(a, 0.37f, o, f, t)},
                {(a, b, o, f, t) -> Elementwise.addScaledScalar(a, -1.5f, b, o, f, t),
                        (a, b, o, f, t) -> Elementwise.addScaledVector(a, -1.5f, b, o, f, t)}};
        String[] names = {"add", "mul", "scale", "addScaled"};
        try (Arena arena = Arena.ofConfined()) {
            for (int op = 0; op < ops.length; op++) {
                for (int n : Rand.TAIL_SIZES) {
                    MemorySegment b = Rand.segment(arena, 2, n, 4f);
                    MemorySegment a1 = Rand.segment(arena, 1, n, 4f), a2 = Rand.segment(arena, 1, n, 4f);
                    ops[op][0].run(a1, b, a1, 1, n);
                    ops[op][1].run(a2, b, a2, 1, n);
                    Diff d = Diff.of(Mem.toFloats(a2), Mem.toFloats(a1));
                    assertEquals(0.0, d.maxAbs(), names[op] + " in place n=" + n + " at " + Simd.describe() + ": " + d);
                }
            }
        }
    }

    @Test
    void rejectsShortBuffers() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Mem.floats(arena, 10), b = Mem.floats(arena, 9), o = Mem.floats(arena, 10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Elementwise.add(a, b, o, 0, 10));
            assertTrue(e.getMessage().contains("add") && e.getMessage().contains("operand b"), e.getMessage());
        }
    }

    /** Kernels take plain native segments only (see {@link Mem#plain}): entry points and kernel bodies refuse others. */
    @Test
    void rejectsHeapSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = Mem.floats(arena, 10), heap = MemorySegment.ofArray(new float[10]);
            MemorySegment o = Mem.floats(arena, 10);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Elementwise.add(a, heap, o, 0, 10));
            assertTrue(e.getMessage().contains("add") && e.getMessage().contains("operand b"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Elementwise.addVector(a, a, heap, 0, 10));
            assertTrue(e.getMessage().contains("plain native"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Elementwise.addScalar(heap, a, o, 0, 10));
            assertTrue(e.getMessage().contains("plain native"), e.getMessage());
        }
    }
}
