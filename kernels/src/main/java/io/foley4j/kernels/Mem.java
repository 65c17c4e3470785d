package io.foley4j.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Element layouts of tensor storage. Little-endian (the order of safetensors, ONNX and every supported CPU) and
 * unaligned, because tensors inside a memory-mapped safetensors file start at arbitrary byte offsets.
 */
public final class Mem {
    private Mem() {}

    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ORDER);
    public static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ORDER);
    public static final ValueLayout.OfByte I8 = ValueLayout.JAVA_BYTE;
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ORDER);
    public static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ORDER);

    /**
     * The one segment implementation the SIMD kernels may see. The JIT profiles the types flowing through the
     * JDK's shared vector load/store code; a heap segment passed beside off-heap ones made the packed GEMM's
     * micro-kernels about 30x slower (measured while writing {@code MatmulPanels}). File-mapped segments are a
     * third class. So every tensor's storage is a plain off-heap segment: heap arrays are copied
     * ({@code Tensor.of}), mapped files are re-viewed with {@link #plainNative} at load time.
     */
    public static final Class<?> PLAIN_NATIVE = Arena.global().allocate(1).getClass();

    /** True when {@code s} is of the one class the kernels are compiled for (see {@link #PLAIN_NATIVE}). */
    public static boolean isPlainNative(MemorySegment s) {
        return s.getClass() == PLAIN_NATIVE;
    }

    /**
     * {@code s} itself (or null) after checking that it is a {@link #PLAIN_NATIVE} segment. Every kernel body starts
     * by passing its segment operands through this (a micro-kernel too, since C2 compiles it on its own). The check
     * is for the JIT: after {@code getClass() == constant} C2 knows the operand's exact class, so the JDK's memory
     * access code inlined into the kernel (vector loads and stores, {@code get}/{@code set}) binds to the native
     * segment's methods statically. Without it C2 follows the type profiles of that JDK code, which are shared by
     * every caller in the JVM and record heap segments as soon as anything uses one: the Vector API does, each time
     * it runs a reinterpreting op ({@code reinterpretAsFloats}, ...) outside C2-compiled code, through a
     * {@code byte[]} segment. A kernel compiled after that then carried a heap-or-native test and both paths in
     * every load and store, and ran 2-8x slower than the same kernel compiled before (the JIT-order effect).
     */
    static MemorySegment plain(MemorySegment s) {
        if (s != null && s.getClass() != PLAIN_NATIVE) {
            throw notPlain(s);
        }
        return s;
    }

    private static IllegalArgumentException notPlain(MemorySegment s) {
        return new IllegalArgumentException("kernels take plain native segments (Mem.floats, Arena.allocate), not a "
                + s.getClass().getSimpleName() + " (" + s + "): copy heap data off-heap, view mapped files with"
                + " Mem.plainNative");
    }

    /**
     * The same memory as a (memory-mapped) native segment, viewed as a plain native segment whose lifetime is
     * {@code arena}'s, which must be the arena that owns the mapping. A named load-time step; see {@link #PLAIN_NATIVE}.
     */
    public static MemorySegment plainNative(MemorySegment mapped, Arena arena) {
        if (!mapped.isNative()) {
            throw new IllegalArgumentException("plainNative: a heap segment has no address; copy it off-heap instead");
        }
        return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null);
    }

    /** Off-heap float buffer of {@code n} elements, zeroed, owned by {@code arena}. 64-byte aligned. */
    public static MemorySegment floats(Arena arena, long n) {
        return arena.allocate(n * 4, 64);
    }

    /** Off-heap float buffer holding a copy of {@code values}. */
    public static MemorySegment floats(Arena arena, float[] values) {
        MemorySegment s = floats(arena, values.length);
        MemorySegment.copy(values, 0, s, F32, 0, values.length);
        return s;
    }

    /** Copies {@code n} floats out of a segment into a new array. */
    public static float[] toFloats(MemorySegment s, long n) {
        float[] out = new float[Math.toIntExact(n)];
        MemorySegment.copy(s, F32, 0, out, 0, out.length);
        return out;
    }

    /** Copies the whole segment (byteSize / 4 floats) into a new array. */
    public static float[] toFloats(MemorySegment s) {
        return toFloats(s, s.byteSize() / 4);
    }

    public static float getF32(MemorySegment s, long index) {
        return s.get(F32, index * 4);
    }

    public static void setF32(MemorySegment s, long index, float v) {
        s.set(F32, index * 4, v);
    }
}
