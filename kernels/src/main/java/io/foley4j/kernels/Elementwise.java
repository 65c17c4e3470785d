package io.foley4j.kernels;

import static io.foley4j.kernels.Mem.F32;
import static io.foley4j.kernels.Mem.ORDER;
import static io.foley4j.kernels.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Elementwise float ops on the element range {@code [from, to)} of F32 buffers. Output may alias an input.
 * Each op: a dispatching entry point, its scalar reference and its Vector API version, side by side.
 */
public final class Elementwise {
    private Elementwise() {}

    private static void check(String op, MemorySegment a, MemorySegment b, MemorySegment out, int from, int to) {
        Checks.require(from >= 0 && from <= to, op, "illegal range [" + from + ", " + to + ")");
        Checks.fits(op, "a", a, to, 4);
        if (b != null) {
            Checks.fits(op, "b", b, to, 4);
        }
        Checks.fits(op, "out", out, to, 4);
    }

    // ---- out = a + b ----

    public static void add(MemorySegment a, MemorySegment b, MemorySegment out, int from, int to) {
        check("add", a, b, out, from, to);
        if (Simd.SCALAR) addScalar(a, b, out, from, to); else addVector(a, b, out, from, to);
    }

    public static void addScalar(MemorySegment a, MemorySegment b, MemorySegment out, int from, int to) {
        a = Mem.plain(a); b = Mem.plain(b); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            out.set(F32, o, a.get(F32, o) + b.get(F32, o));
        }
    }

    public static void addVector(MemorySegment a, MemorySegment b, MemorySegment out, int from, int to) {
        a = Mem.plain(a); b = Mem.plain(b); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            FloatVector.fromMemorySegment(F, a, o, ORDER)
                    .add(FloatVector.fromMemorySegment(F, b, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        addScalar(a, b, out, i, to);
    }

    // ---- out = a * b ----

    public static void mul(MemorySegment a, MemorySegment b, MemorySegment out, int from, int to) {
        check("mul", a, b, out, from, to);
        if (Simd.SCALAR) mulScalar(a, b, out, from, to); else mulVector(a, b, out, from, to);
    }

    public static void mulScalar(MemorySegment a, MemorySegment b, MemorySegment out, int from, int to) {
        a = Mem.plain(a); b = Mem.plain(b); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            out.set(F32, o, a.get(F32, o) * b.get(F32, o));
        }
    }

    public static void mulVector(MemorySegment a, MemorySegment b, MemorySegment out, int from, int to) {
        a = Mem.plain(a); b = Mem.plain(b); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            FloatVector.fromMemorySegment(F, a, o, ORDER)
                    .mul(FloatVector.fromMemorySegment(F, b, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        mulScalar(a, b, out, i, to);
    }

    // ---- out = a * s ----

    public static void scale(MemorySegment a, float s, MemorySegment out, int from, int to) {
        check("scale", a, null, out, from, to);
        if (Simd.SCALAR) scaleScalar(a, s, out, from, to); else scaleVector(a, s, out, from, to);
    }

    public static void scaleScalar(MemorySegment a, float s, MemorySegment out, int from, int to) {
        a = Mem.plain(a); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            out.set(F32, o, a.get(F32, o) * s);
        }
    }

    public static void scaleVector(MemorySegment a, float s, MemorySegment out, int from, int to) {
        a = Mem.plain(a); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            FloatVector.fromMemorySegment(F, a, o, ORDER).mul(s).intoMemorySegment(out, o, ORDER);
        }
        scaleScalar(a, s, out, i, to);
    }

    // ---- out = a + s * b (axpy; residual adds with a gate, guidance mixing) ----

    public static void addScaled(MemorySegment a, float s, MemorySegment b, MemorySegment out, int from, int to) {
        check("addScaled", a, b, out, from, to);
        if (Simd.SCALAR) addScaledScalar(a, s, b, out, from, to); else addScaledVector(a, s, b, out, from, to);
    }

    public static void addScaledScalar(MemorySegment a, float s, MemorySegment b, MemorySegment out, int from, int to) {
        a = Mem.plain(a); b = Mem.plain(b); out = Mem.plain(out);
        for (int i = from; i < to; i++) {
            long o = (long) i * 4;
            out.set(F32, o, Math.fma(s, b.get(F32, o), a.get(F32, o)));
        }
    }

    public static void addScaledVector(MemorySegment a, float s, MemorySegment b, MemorySegment out, int from, int to) {
        a = Mem.plain(a); b = Mem.plain(b); out = Mem.plain(out);
        int i = from;
        for (int upper = from + F.loopBound(to - from); i < upper; i += F.length()) {
            long o = (long) i * 4;
            FloatVector.fromMemorySegment(F, b, o, ORDER)
                    .fma(FloatVector.broadcast(F, s), FloatVector.fromMemorySegment(F, a, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        addScaledScalar(a, s, b, out, i, to);
    }
}
