package io.foley4j.loader;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.foley4j.engine.DType;
import io.foley4j.kernels.Mem;
import io.foley4j.loader.SafetensorsFile.Entry;
import io.foley4j.loader.SafetensorsFile.TensorInfo;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a safetensors header. Layout: u64 little-endian header length N, N bytes of UTF-8 JSON (an
 * object; trailing spaces allowed), then the data region. Rules, each failing with a {@link WeightsFormatException}:
 * <ul>
 * <li>N &lt;= {@value #MAX_HEADER_BYTES} and 8 + N &lt;= file size;</li>
 * <li>strict UTF-8; one JSON object, no trailing tokens, no duplicate keys;</li>
 * <li>{@code __metadata__}, if present, is an object of string values;</li>
 * <li>every other key is a tensor: exactly {@code dtype} (a known {@link SafetensorsDType}), {@code shape} (array of
 *     non-negative integers) and {@code data_offsets} ([begin, end], integers, 0 &lt;= begin &lt;= end);</li>
 * <li>end - begin == numel * bits / 8, a whole number of bytes, no overflow;</li>
 * <li>coverage, as the reference implementation demands: sorted by offset, the ranges tile the data region
 *     exactly: no overlap, no hole, no trailing bytes;</li>
 * <li>{@code quant.NAME} metadata follows {@link QuantStorage}: NAME is I8, NAME.scale is F32 of the right shape.</li>
 * </ul>
 */
record SafetensorsHeader(long dataStart, Map<String, String> metadata, Map<String, Entry> entries,
                         Map<String, TensorInfo> tensors) {

    static final long MAX_HEADER_BYTES = 100_000_000;
    private static final String METADATA = "__metadata__";
    private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static SafetensorsHeader parse(String src, MemorySegment file) throws WeightsFormatException {
        long size = file.byteSize();
        if (size < 8) throw new WeightsFormatException(src, null, "file has " + size + " bytes, fewer than the 8-byte header length");
        long n = file.get(Mem.I64, 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            boolean json = size > 8 && file.get(Mem.I8, 8) == '{';
            throw new WeightsFormatException(src, null, "header length " + Long.toUnsignedString(n) + " is absurd"
                    + " (limit " + MAX_HEADER_BYTES + ")"
                    + (json ? "" : ": not a safetensors file (its header would start with '{' at byte 8)"));
        }
        if (n > size - 8) {
            throw new WeightsFormatException(src, null, "header length " + n + " runs past the end of the file (" + size + " bytes)");
        }
        JsonNode root = json(src, file.asSlice(8, n).toArray(Mem.I8));
        long dataSize = size - 8 - n;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals(METADATA)) {
                metadata(src, f.getValue(), metadata);
            } else {
                entries.put(f.getKey(), entry(src, f.getKey(), f.getValue(), dataSize));
            }
        }
        checkCoverage(src, entries, dataSize);
        return new SafetensorsHeader(8 + n, Map.copyOf(metadata), entries, tensors(src, metadata, entries));
    }

    private static JsonNode json(String src, byte[] bytes) throws WeightsFormatException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new WeightsFormatException(src, null, "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new WeightsFormatException(src, null, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightsFormatException(src, null, "header is not a JSON object");
        }
        return root;
    }

    private static void metadata(String src, JsonNode m, Map<String, String> out) throws WeightsFormatException {
        if (!m.isObject()) throw new WeightsFormatException(src, null, "__metadata__ is not an object");
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getValue().isTextual()) {
                throw new WeightsFormatException(src, null, "__metadata__ value of '" + f.getKey() + "' is not a string");
            }
            out.put(f.getKey(), f.getValue().textValue());
        }
    }

    private static Entry entry(String src, String name, JsonNode e, long dataSize) throws WeightsFormatException {
        if (!e.isObject()) throw new WeightsFormatException(src, name, "entry is not a JSON object");
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ENTRY_KEYS.contains(k)) throw new WeightsFormatException(src, name, "unknown key '" + k + "'");
        }
        JsonNode dt = e.get("dtype");
        if (dt == null || !dt.isTextual()) throw new WeightsFormatException(src, name, "dtype missing or not a string");
        SafetensorsDType dtype = SafetensorsDType.byName(dt.textValue());
        if (dtype == null) throw new WeightsFormatException(src, name, "unknown dtype '" + dt.textValue() + "'");
        long[] shape = longs(src, name, e.get("shape"), "shape", -1);
        long[] off = longs(src, name, e.get("data_offsets"), "data_offsets", 2);
        if (off[0] > off[1]) throw new WeightsFormatException(src, name, "data_offsets " + Arrays.toString(off) + " end before they begin");
        if (off[1] > dataSize) {
            throw new WeightsFormatException(src, name, "data_offsets " + Arrays.toString(off) + " run past the data region of " + dataSize + " bytes");
        }
        long bytes;
        try {
            bytes = dtype.byteSize(numel(shape));
        } catch (ArithmeticException x) {
            throw new WeightsFormatException(src, name, "shape " + Arrays.toString(shape) + " overflows");
        }
        if (bytes < 0) throw new WeightsFormatException(src, name, dtype + Arrays.toString(shape) + " is not a whole number of bytes");
        if (bytes != off[1] - off[0]) {
            throw new WeightsFormatException(src, name, dtype + Arrays.toString(shape) + " needs " + bytes
                    + " bytes, data_offsets " + Arrays.toString(off) + " hold " + (off[1] - off[0]));
        }
        return new Entry(name, dtype, shape, off[0], off[1]);
    }

    /** A JSON array of non-negative integers that fit a long; {@code len} -1 for any length. */
    private static long[] longs(String src, String name, JsonNode a, String what, int len) throws WeightsFormatException {
        if (a == null || !a.isArray()) throw new WeightsFormatException(src, name, what + " missing or not an array");
        if (len >= 0 && a.size() != len) throw new WeightsFormatException(src, name, what + " has " + a.size() + " values, not " + len);
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = a.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new WeightsFormatException(src, name, what + "[" + i + "] = " + v + " is not an integer");
            }
            out[i] = v.longValue();
            if (out[i] < 0) throw new WeightsFormatException(src, name, what + "[" + i + "] = " + out[i] + " is negative");
        }
        return out;
    }

    /** Sorted by (begin, end), the ranges must tile [0, dataSize) exactly. */
    private static void checkCoverage(String src, Map<String, Entry> entries, long dataSize) throws WeightsFormatException {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin() < covered) {
                throw new WeightsFormatException(src, e.name(), "bytes [" + e.begin() + ", " + e.end() + ") overlap tensor '"
                        + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ")");
            }
            if (e.begin() > covered) {
                throw new WeightsFormatException(src, e.name(), "hole of " + (e.begin() - covered) + " unused bytes before it (at "
                        + covered + ")");
            }
            covered = e.end();
            prev = e;
        }
        if (covered != dataSize) {
            throw new WeightsFormatException(src, null, "data region has " + dataSize + " bytes but tensors cover " + covered
                    + " (trailing bytes)");
        }
    }

    /** Logical tensors: quantized pairs become one, their scale entries disappear (see {@link QuantStorage}). */
    private static Map<String, TensorInfo> tensors(String src, Map<String, String> metadata, Map<String, Entry> entries)
            throws WeightsFormatException {
        Map<String, DType> quant = new LinkedHashMap<>();
        Set<String> scaleEntries = new HashSet<>();
        for (Map.Entry<String, String> m : metadata.entrySet()) {
            if (!m.getKey().startsWith(QuantStorage.QUANT_PREFIX)) continue;
            String name = m.getKey().substring(QuantStorage.QUANT_PREFIX.length());
            DType q = QuantStorage.quantType(m.getValue());
            if (q == null) throw new WeightsFormatException(src, name, "metadata " + m.getKey() + " = '" + m.getValue() + "' names no quantized dtype");
            Entry e = entries.get(name);
            if (e == null || e.dtype() != SafetensorsDType.I8) {
                throw new WeightsFormatException(src, name, "metadata says " + q + " but the tensor " + (e == null ? "is missing" : "is " + e.dtype()));
            }
            String scaleName = QuantStorage.scaleName(name);
            Entry s = entries.get(scaleName);
            long[] want;
            try {
                want = QuantStorage.scaleShape(q, e.shape());
            } catch (ArithmeticException x) {
                throw new WeightsFormatException(src, name, "shape overflows");
            }
            if (s == null || s.dtype() != SafetensorsDType.F32 || !Arrays.equals(s.shape(), want)) {
                throw new WeightsFormatException(src, name, q + " needs scales '" + scaleName + "' F32" + Arrays.toString(want)
                        + ", found " + (s == null ? "none" : s.dtype() + Arrays.toString(s.shape())));
            }
            if (metadata.containsKey(QuantStorage.quantKey(scaleName))) {
                throw new WeightsFormatException(src, scaleName, "a scale entry cannot itself be quantized");
            }
            quant.put(name, q);
            scaleEntries.add(scaleName);
        }
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Entry e : entries.values()) {
            if (scaleEntries.contains(e.name())) continue;
            DType q = quant.get(e.name());
            out.put(e.name(), new TensorInfo(e.name(), e.dtype(), q != null ? q : e.dtype().engine, e.shape()));
        }
        return out;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }
}
