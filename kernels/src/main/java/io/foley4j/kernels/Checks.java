package io.foley4j.kernels;

import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/**
 * Argument checks at kernel entry points: each failure names the op, the operand and the sizes, so a shape
 * bug surfaces as a readable message instead of garbage or an out-of-bounds access deep in a loop.
 * Checks run once per call, never per element.
 *
 * <p>A name or message built from the arguments ({@code "x[M=" + m + "]"}) is passed as a {@code Supplier}, so it is
 * only formatted when the check fails: built eagerly it was formatted on every kernel call, 14% of a MiniLM forward's
 * heap garbage at 128 tokens (bench/results/alloc-s14-2026-11-25.md). The eager and the lazy form of a check share
 * its condition and its message.
 */
public final class Checks {
    private Checks() {}

    /** Throws unless {@code seg} holds at least {@code elements} elements of {@code elemBytes} bytes each. */
    public static void fits(String op, String operand, MemorySegment seg, long elements, int elemBytes) {
        if (!fits(seg, elements, elemBytes)) {
            throw fitsFailure(op, operand, seg, elements, elemBytes);
        }
    }

    /** {@link #fits(String, String, MemorySegment, long, int)} with the operand's name built only on failure. */
    public static void fits(String op, Supplier<String> operand, MemorySegment seg, long elements, int elemBytes) {
        if (!fits(seg, elements, elemBytes)) {
            throw fitsFailure(op, operand.get(), seg, elements, elemBytes);
        }
    }

    private static boolean fits(MemorySegment seg, long elements, int elemBytes) {
        return seg != null && elements >= 0 && Mem.isPlainNative(seg)
                && seg.byteSize() >= Math.multiplyExact(elements, (long) elemBytes);
    }

    /** The error for a {@link #fits} check that failed, naming which condition. */
    private static IllegalArgumentException fitsFailure(String op, String operand, MemorySegment seg, long elements,
                                                        int elemBytes) {
        if (seg == null) {
            return new IllegalArgumentException(op + ": operand " + operand + " is null");
        }
        if (elements < 0) {
            return new IllegalArgumentException(op + ": operand " + operand + " has negative size " + elements);
        }
        if (!Mem.isPlainNative(seg)) {
            return new IllegalArgumentException(op + ": operand " + operand + " is a " + seg.getClass().getSimpleName()
                    + "; kernels take plain native segments only (see Mem.plain)");
        }
        long need = elements * elemBytes; // fits(seg, elements, elemBytes) computed it without overflow
        return new IllegalArgumentException(op + ": operand " + operand + " needs " + elements + " elements ("
                + need + " bytes) but its buffer holds " + seg.byteSize() + " bytes");
    }

    /** Throws unless every dimension is positive (zero allowed when {@code allowZero}). */
    public static void dims(String op, String names, boolean allowZero, int... dims) {
        for (int d : dims) {
            if (d < 0 || (!allowZero && d == 0)) {
                throw new IllegalArgumentException(op + ": illegal dimensions " + names + " = "
                        + java.util.Arrays.toString(dims));
            }
        }
    }

    /** Throws unless {@code 0 <= start <= end <= limit}. */
    public static void range(String op, String what, int start, int end, int limit) {
        if (!inRange(start, end, limit)) {
            throw rangeFailure(op, what, start, end, limit);
        }
    }

    /** {@link #range(String, String, int, int, int)} with the name built only on failure. */
    public static void range(String op, Supplier<String> what, int start, int end, int limit) {
        if (!inRange(start, end, limit)) {
            throw rangeFailure(op, what.get(), start, end, limit);
        }
    }

    private static boolean inRange(int start, int end, int limit) {
        return start >= 0 && start <= end && end <= limit;
    }

    private static IllegalArgumentException rangeFailure(String op, String what, int start, int end, int limit) {
        return new IllegalArgumentException(op + ": " + what + " range [" + start + ", " + end
                + ") is outside [0, " + limit + ")");
    }

    /** Throws with a message naming the op when a condition on the arguments does not hold. */
    public static void require(boolean ok, String op, String message) {
        if (!ok) {
            throw new IllegalArgumentException(op + ": " + message);
        }
    }

    /** {@link #require(boolean, String, String)} with the message built only on failure. */
    public static void require(boolean ok, String op, Supplier<String> message) {
        if (!ok) {
            require(false, op, message.get());
        }
    }
}
