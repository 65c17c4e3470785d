package io.foley4j.loader;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import io.foley4j.kernels.Mem;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, memory-mapped once and validated completely ({@link SafetensorsHeader}) before any tensor is
 * handed out. Tensors are zero-copy views of the mapping and stay valid until {@link #close()}. Quantized engine
 * tensors are stored as pairs ({@link QuantStorage}) and appear here as one logical tensor. The mapping belongs to a
 * shared arena, so views may be read from any thread.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** A raw header entry: byte range {@code [begin, end)} relative to the start of the data region. */
    public record Entry(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {
        @Override public long[] shape() { return shape.clone(); }
        public long numel() { return SafetensorsHeader.numel(shape); }
    }

    /**
     * A logical tensor: {@code stored} is the entry's dtype, {@code engine} the dtype {@link #tensor} views it as
     * (null when the engine has no such dtype: read it with {@link #toF32} or {@link #bytes}).
     */
    public record TensorInfo(String name, SafetensorsDType stored, DType engine, long[] shape) {
        @Override public long[] shape() { return shape.clone(); }
        @Override public String toString() { return name + " " + stored + (engine != null && engine.quantized() ? "/" + engine : "") + Arrays.toString(shape); }
    }

    private final String source;
    private final Arena arena;
    private final MemorySegment mapping; // the file's mapping (for unload), null for contents already in memory
    private final MemorySegment data; // the data region, after the header
    private final SafetensorsHeader header;

    private SafetensorsFile(String source, Arena arena, MemorySegment mapping, MemorySegment data,
                            SafetensorsHeader header) {
        this.source = source;
        this.arena = arena;
        this.mapping = mapping;
        this.data = data;
        this.header = header;
    }

    /** Maps and validates {@code path}; throws {@link WeightsFormatException} on any inconsistency. */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return of(path.toString(), mapping, Mem.plainNative(mapping, arena), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Validates safetensors contents already in memory; {@code source} names them in errors. Owns no memory. */
    public static SafetensorsFile parse(String source, MemorySegment contents) throws WeightsFormatException {
        return of(source, null, contents, null);
    }

    private static SafetensorsFile of(String source, MemorySegment mapping, MemorySegment file, Arena arena)
            throws WeightsFormatException {
        SafetensorsHeader h = SafetensorsHeader.parse(source, file);
        return new SafetensorsFile(source, arena, mapping, file.asSlice(h.dataStart()), h);
    }

    /**
     * Load-time step after a model has copied what it needs out of the file (weights repacked into the GEMM layout):
     * drops the file's pages from this process's resident memory ({@link MemorySegment#unload}, madvise DONTNEED on
     * the read-only mapping). Every view stays valid: a page read again faults back in from the OS page cache (or
     * the disk). Without it the pages the repacking read stay resident next to their copy: MiniLM FP32 held both,
     * 42 MB twice. No effect for contents that were not mapped from a file ({@link #parse}).
     */
    public void unload() {
        if (mapping != null) mapping.unload();
    }

    /**
     * {@link #unload()} for the pages of one tensor (its data and scales; the pages it shares with its neighbours
     * too): a model that repacks its weights one at a time calls it after each, so the mapped pages and the copies
     * are never all resident at once. ViT-L/14 FP32 (1.2 GB of linears) peaked at 2477 MB with one
     * {@link #unload()} after the packing, 1590 MB with this after each linear (VitChild, batch 1 and 8, session 15).
     * A tensor that is not a view of this file (a copy, another file's) has no pages here: nothing happens.
     */
    public void unload(Tensor view) {
        unload(view.data());
        if (view.scales() != null) unload(view.scales());
    }

    private void unload(MemorySegment bytes) {
        if (mapping == null || !bytes.isNative()) return;
        long off = bytes.address() - mapping.address();
        if (off >= 0 && off <= mapping.byteSize() - bytes.byteSize()) mapping.asSlice(off, bytes.byteSize()).unload();
    }

    /** The path or label the file was opened from. */
    public String source() { return source; }

    /** {@code __metadata__}, string to string, empty when absent. */
    public Map<String, String> metadata() { return header.metadata(); }

    /** The model config JSON stored under {@link QuantStorage#CONFIG_KEY}, or null. */
    public String config() { return header.metadata().get(QuantStorage.CONFIG_KEY); }

    /** Logical tensor names in header order (scale entries of quantized tensors are not listed). */
    public Set<String> names() { return Collections.unmodifiableSet(header.tensors().keySet()); }

    /** Every raw header entry, scale entries included, in header order. */
    public Map<String, Entry> entries() { return Collections.unmodifiableMap(header.entries()); }

    public boolean contains(String name) { return header.tensors().containsKey(name); }

    public TensorInfo info(String name) {
        TensorInfo t = header.tensors().get(name);
        if (t == null) throw new IllegalArgumentException(source + ": no tensor '" + name + "'");
        return t;
    }

    /** Zero-copy bytes of any raw entry (a scale entry too). */
    public MemorySegment bytes(String entry) {
        Entry e = header.entries().get(entry);
        if (e == null) throw new IllegalArgumentException(source + ": no entry '" + entry + "'");
        return data.asSlice(e.begin(), e.end() - e.begin());
    }

    /** Zero-copy engine view of a logical tensor; fails for dtypes the engine lacks (see {@link TensorInfo}). */
    public Tensor tensor(String name) throws WeightsFormatException {
        TensorInfo t = info(name);
        if (t.engine() == null) {
            throw new WeightsFormatException(source, name, "dtype " + t.stored() + " has no engine tensor type;"
                    + " read it with toF32 or as raw bytes");
        }
        int[] shape = intShape(name, t.shape);
        MemorySegment scales = t.engine().quantized() ? bytes(QuantStorage.scaleName(name)) : null;
        return Tensor.of(t.engine(), bytes(name), scales, shape);
    }

    /** A new F32 copy in {@code arena}: converts every dtype with {@link SafetensorsDType#toF32}, dequantizes I8 pairs. */
    public Tensor toF32(String name, Arena arena) throws WeightsFormatException {
        TensorInfo t = info(name);
        int[] shape = intShape(name, t.shape);
        if (t.engine() != null && t.engine().quantized()) {
            if (SafetensorsHeader.numel(t.shape) > Integer.MAX_VALUE) {
                throw new WeightsFormatException(source, name, "too large to dequantize into one array");
            }
            return Tensor.ofFloats(arena, tensor(name).toFloats(), shape);
        }
        if (!t.stored().toF32) {
            throw new WeightsFormatException(source, name, "dtype " + t.stored() + " cannot be converted to F32");
        }
        Tensor out = Tensor.allocate(arena, DType.F32, shape);
        MemorySegment src = bytes(name), dst = out.data();
        long n = out.numel();
        for (long i = 0; i < n; i++) {
            dst.set(Mem.F32, 4 * i, t.stored().getAsFloat(src, i));
        }
        return out;
    }

    private int[] intShape(String name, long[] shape) throws WeightsFormatException {
        int[] s = new int[shape.length];
        for (int i = 0; i < s.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new WeightsFormatException(source, name, "dimension " + shape[i] + " exceeds the engine's int range");
            }
            s[i] = (int) shape[i];
        }
        return s;
    }

    /** Unmaps the file (views become invalid); a no-op for {@link #parse}d contents. */
    @Override
    public void close() {
        if (arena != null) arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + source + ", " + header.tensors().size() + " tensors]";
    }
}
