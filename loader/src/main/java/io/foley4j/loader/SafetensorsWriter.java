package io.foley4j.loader;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes a safetensors file. Tensors are declared first (name, dtype, shape) and their bytes are produced one at a
 * time while writing, so a converter never holds more than one converted tensor. The file is written to a temporary
 * sibling, forced to disk and atomically renamed over {@code target}: readers never see half a file.
 * <p>
 * Quantized engine tensors become two entries and a metadata key ({@link QuantStorage}). The header is padded with
 * spaces so the data region starts at a multiple of 8; since the format forbids holes between tensors, each tensor is
 * 8-aligned exactly when the byte sizes of the tensors before it are multiples of 8 (readers here do not need it).
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CHUNK = 1 << 22;

    private record Pending(String name, SafetensorsDType dtype, long[] shape, long bytes, Supplier<MemorySegment> data) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    public SafetensorsWriter() {
        metadata.put(QuantStorage.FORMAT_KEY, QuantStorage.FORMAT_VERSION);
    }

    /** A free-form metadata entry; keys starting with {@link QuantStorage#QUANT_PREFIX} are reserved. */
    public SafetensorsWriter metadata(String key, String value) {
        if (key.startsWith(QuantStorage.QUANT_PREFIX)) {
            throw new IllegalArgumentException("SafetensorsWriter: metadata key '" + key + "' is reserved for quantized tensors");
        }
        metadata.put(key, value);
        return this;
    }

    /** Stores the model config, which must be one JSON object, under {@link QuantStorage#CONFIG_KEY}. */
    public SafetensorsWriter config(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("SafetensorsWriter.config: not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) throw new IllegalArgumentException("SafetensorsWriter.config: not a JSON object");
        return metadata(QuantStorage.CONFIG_KEY, json);
    }

    /** An engine tensor whose storage is read when the file is written. */
    public SafetensorsWriter add(String name, Tensor t) {
        return add(name, t.dtype(), t.shape(), () -> t);
    }

    /**
     * A tensor produced while writing (called once, when its turn comes); it must have the declared dtype and shape.
     * For a quantized dtype the data entry and the scale entry are written from the same produced tensor.
     */
    public SafetensorsWriter add(String name, DType dtype, int[] shape, Supplier<Tensor> producer) {
        long[] s = Arrays.stream(shape).asLongStream().toArray();
        Supplier<Tensor> checked = new Supplier<>() {
            private Tensor t;
            @Override public Tensor get() {
                if (t == null) {
                    t = producer.get();
                    if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
                        throw new IllegalArgumentException("SafetensorsWriter: tensor '" + name + "' declared " + dtype
                                + Arrays.toString(shape) + " but produced " + t);
                    }
                }
                return t;
            }
        };
        SafetensorsDType stored = SafetensorsDType.of(dtype);
        long numel = SafetensorsHeader.numel(s);
        if (!dtype.quantized()) {
            return entry(name, stored, s, stored.byteSize(numel), () -> checked.get().data());
        }
        String scale = QuantStorage.scaleName(name);
        long[] scaleShape = QuantStorage.scaleShape(dtype, s);
        entry(name, stored, s, numel, () -> checked.get().data());
        entry(scale, SafetensorsDType.F32, scaleShape, 4 * SafetensorsHeader.numel(scaleShape), () -> checked.get().scales());
        metadata.put(QuantStorage.quantKey(name), dtype.name());
        return this;
    }

    /** Raw bytes of any safetensors dtype (little-endian, row-major). */
    public SafetensorsWriter addRaw(String name, SafetensorsDType dtype, long[] shape, MemorySegment bytes) {
        long need = dtype.byteSize(SafetensorsHeader.numel(shape));
        if (need != bytes.byteSize()) {
            throw new IllegalArgumentException("SafetensorsWriter: tensor '" + name + "' " + dtype + Arrays.toString(shape)
                    + " needs " + need + " bytes, got " + bytes.byteSize());
        }
        return entry(name, dtype, shape.clone(), need, () -> bytes);
    }

    private SafetensorsWriter entry(String name, SafetensorsDType dtype, long[] shape, long bytes, Supplier<MemorySegment> data) {
        if (name.equals("__metadata__") || !names.add(name)) {
            throw new IllegalArgumentException("SafetensorsWriter: duplicate or reserved tensor name '" + name + "'");
        }
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("SafetensorsWriter: tensor '" + name + "' has a negative dimension " + Arrays.toString(shape));
        }
        if (bytes < 0) throw new IllegalArgumentException("SafetensorsWriter: tensor '" + name + "' is not a whole number of bytes");
        pending.add(new Pending(name, dtype, shape, bytes, data));
        return this;
    }

    /** Writes everything to {@code target} (temporary sibling, fsync, atomic rename). */
    public void write(Path target) throws IOException {
        byte[] header = header();
        Path tmp = OutputFiles.tempBeside(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                // Heap segments of non-byte arrays have no ByteBuffer view: copy through one bounce buffer.
                ByteBuffer bounce = ByteBuffer.allocateDirect((int) CHUNK);
                MemorySegment bounceSeg = MemorySegment.ofBuffer(bounce);
                for (Pending p : pending) {
                    MemorySegment seg = p.data.get();
                    if (seg.byteSize() != p.bytes) {
                        throw new IllegalArgumentException("SafetensorsWriter: tensor '" + p.name + "' produced "
                                + seg.byteSize() + " bytes, declared " + p.bytes);
                    }
                    for (long off = 0; off < p.bytes; off += CHUNK) {
                        int n = (int) Math.min(CHUNK, p.bytes - off);
                        MemorySegment.copy(seg, off, bounceSeg, 0, n);
                        writeFully(ch, bounce.clear().limit(n));
                    }
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** JSON header padded with spaces to make 8 + length a multiple of 8. */
    private byte[] header() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode meta = root.putObject("__metadata__");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Pending p : pending) {
            ObjectNode e = root.putObject(p.name);
            e.put("dtype", p.dtype.name());
            ArrayNode shape = e.putArray("shape");
            for (long d : p.shape) shape.add(d);
            e.putArray("data_offsets").add(offset).add(offset + p.bytes);
            offset += p.bytes;
        }
        byte[] json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }
}
