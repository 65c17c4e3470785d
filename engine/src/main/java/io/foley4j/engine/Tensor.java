package io.foley4j.engine;

import io.foley4j.kernels.Fp16;
import io.foley4j.kernels.Mem;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A dense row-major tensor: dtype + shape + storage on a {@link MemorySegment} (heap, off-heap or memory-mapped).
 * Quantized dtypes carry their scales in {@link #scales()}. Views ({@link #view}, {@link #slice}, {@link #row})
 * share storage, never copy. A tensor does not own its memory: the arena or mapping that made the segment does.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final MemorySegment data;
    private final MemorySegment scales;

    private Tensor(DType dtype, int[] shape, MemorySegment data, MemorySegment scales) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
        this.scales = scales;
    }

    /** Wraps existing storage, checking that its size matches dtype and shape. */
    public static Tensor of(DType dtype, MemorySegment data, MemorySegment scales, int... shape) {
        int[] s = checkShape(shape);
        long n = numel(s);
        long need = dataBytes(dtype, s);
        if (data == null || data.byteSize() != need) {
            throw new IllegalArgumentException("Tensor " + dtype + Arrays.toString(s) + " needs " + need
                    + " data bytes, got " + (data == null ? "null" : data.byteSize()));
        }
        if (dtype.quantized()) {
            long rows = s.length == 0 ? 1 : n / Math.max(1, s[s.length - 1]);
            long cols = s.length == 0 ? 1 : s[s.length - 1];
            long needScales = dtype.scaleCount(rows, cols) * 4;
            if (scales == null || scales.byteSize() != needScales) {
                throw new IllegalArgumentException("Tensor " + dtype + Arrays.toString(s) + " needs " + needScales
                        + " scale bytes, got " + (scales == null ? "null" : scales.byteSize()));
            }
        } else if (scales != null) {
            throw new IllegalArgumentException("Tensor " + dtype + " has no scales, but scales were given");
        }
        return new Tensor(dtype, s, offHeap(data), scales == null ? null : offHeap(scales));
    }

    /**
     * Heap storage is copied into GC-managed off-heap memory: the kernels must only ever see plain off-heap
     * segments ({@link Mem#PLAIN_NATIVE} explains why). Memory-mapped storage must be re-viewed by its loader
     * ({@link Mem#plainNative}); it is refused here rather than silently slowing every kernel down.
     */
    private static MemorySegment offHeap(MemorySegment seg) {
        if (Mem.isPlainNative(seg)) {
            return seg;
        }
        if (!seg.isNative()) {
            MemorySegment copy = Arena.ofAuto().allocate(seg.byteSize(), 64);
            copy.copyFrom(seg);
            return copy;
        }
        throw new IllegalArgumentException("Tensor storage must be a plain off-heap segment, got "
                + seg.getClass().getSimpleName() + " (view a mapped file with Mem.plainNative at load time)");
    }

    public static Tensor of(DType dtype, MemorySegment data, int... shape) {
        return of(dtype, data, null, shape);
    }

    /** Bytes of main storage; the packed GEMM layouts pad their last panel. */
    private static long dataBytes(DType dtype, int[] s) {
        if (dtype == DType.F32_PACKED && s.length == 2) {
            return io.foley4j.kernels.Matmul.packedF32Floats(s[0], s[1]) * 4;
        }
        if (dtype == DType.I8_ROW_PACKED && s.length == 2) {
            return io.foley4j.kernels.MatmulQ8.packedQ8Bytes(s[0], s[1]);
        }
        return Math.multiplyExact(numel(s), (long) dtype.bytes);
    }

    /** Zeroed off-heap tensor owned by {@code arena}. */
    public static Tensor allocate(Arena arena, DType dtype, int... shape) {
        int[] s = checkShape(shape);
        long n = numel(s);
        long bytes = dataBytes(dtype, s);
        MemorySegment data = arena.allocate(bytes, 64);
        MemorySegment scales = null;
        if (dtype.quantized()) {
            long cols = s.length == 0 ? 1 : s[s.length - 1];
            scales = arena.allocate(dtype.scaleCount(cols == 0 ? 0 : n / cols, cols) * 4, 64);
        }
        return new Tensor(dtype, s, data, scales);
    }

    /** F32 tensor holding a copy of {@code values} in GC-managed off-heap memory (see {@link #of}). */
    public static Tensor ofHeap(float[] values, int... shape) {
        return of(DType.F32, MemorySegment.ofArray(values), null, shape);
    }

    /** Off-heap F32 tensor holding a copy of {@code values}. */
    public static Tensor ofFloats(Arena arena, float[] values, int... shape) {
        Tensor t = allocate(arena, DType.F32, shape);
        if (values.length != t.numel()) {
            throw new IllegalArgumentException("Tensor.ofFloats: " + values.length + " values for shape "
                    + Arrays.toString(shape));
        }
        MemorySegment.copy(values, 0, t.data, Mem.F32, 0, values.length);
        return t;
    }

    public DType dtype() { return dtype; }
    public MemorySegment data() { return data; }
    /** F32 scales of a quantized tensor; null otherwise. */
    public MemorySegment scales() { return scales; }
    public int rank() { return shape.length; }
    public int[] shape() { return shape.clone(); }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public long numel() { return numel(shape); }

    /** Same storage, new shape with the same element count. */
    public Tensor view(int... newShape) {
        int[] s = checkShape(newShape);
        if (numel(s) != numel()) {
            throw new IllegalArgumentException("view: cannot view " + Arrays.toString(shape) + " as " + Arrays.toString(s));
        }
        if (dtype.quantized() && shape.length > 0 && s.length > 0 && s[s.length - 1] != dim(-1)) {
            throw new IllegalArgumentException("view: a " + dtype + " tensor keeps its row length " + dim(-1)
                    + ", got " + Arrays.toString(s));
        }
        return new Tensor(dtype, s, data, scales);
    }

    /** Zero-copy slice {@code [from, to)} along dimension 0. */
    public Tensor slice(int from, int to) {
        if (dtype == DType.I8_ROW_PACKED) {
            throw new IllegalArgumentException("slice: " + this + " is in the packed GEMM layout, not row-major");
        }
        if (shape.length == 0 || from < 0 || from > to || to > shape[0]) {
            throw new IllegalArgumentException("slice: [" + from + ", " + to + ") outside dimension 0 of "
                    + Arrays.toString(shape));
        }
        int[] s = shape.clone();
        s[0] = to - from;
        long inner = numel(shape) / Math.max(1, shape[0]);
        MemorySegment d = data.asSlice(from * inner * dtype.bytes, (to - from) * inner * dtype.bytes);
        MemorySegment sc = null;
        if (dtype.quantized()) {
            long cols = shape[shape.length - 1];
            long rowsPerItem = cols == 0 ? 0 : inner / cols;
            long perRow = dtype.scaleCount(1, cols);
            sc = scales.asSlice(from * rowsPerItem * perRow * 4, (to - from) * rowsPerItem * perRow * 4);
        }
        return new Tensor(dtype, s, d, sc);
    }

    /** Zero-copy sub-tensor at index {@code i} of dimension 0 (rank drops by one). */
    public Tensor row(int i) {
        Tensor t = slice(i, i + 1);
        return new Tensor(dtype, Arrays.copyOfRange(shape, 1, shape.length), t.data, t.scales);
    }

    /** Reads every element as float (dequantizing), for tests, checks and small tensors. */
    public float[] toFloats() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, Mem.F32, 0, out, 0, n);
            case F32_PACKED, I8_ROW_PACKED -> throw new IllegalArgumentException("toFloats: " + this
                    + " is in the packed GEMM layout, not row-major");
            case F16 -> { for (int i = 0; i < n; i++) out[i] = Fp16.f16ToF32(data.get(Mem.I16, 2L * i)); }
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = Fp16.bf16ToF32(data.get(Mem.I16, 2L * i)); }
            case I32 -> { for (int i = 0; i < n; i++) out[i] = data.get(Mem.I32, 4L * i); }
            case I64 -> { for (int i = 0; i < n; i++) out[i] = data.get(Mem.I64, 8L * i); }
            case I8_ROW, I8_BLOCK32 -> {
                int cols = Math.max(1, shape.length == 0 ? 1 : shape[shape.length - 1]);
                long perRow = dtype.scaleCount(1, cols);
                for (int i = 0; i < n; i++) {
                    int r = i / cols, c = i % cols;
                    long si = r * perRow + (dtype == DType.I8_ROW ? 0 : c / DType.BLOCK);
                    out[i] = data.get(Mem.I8, i) * scales.get(Mem.F32, si * 4);
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }

    private static int[] checkShape(int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        numel(shape); // overflow check
        return shape.clone();
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, (long) d);
        }
        return n;
    }
}
