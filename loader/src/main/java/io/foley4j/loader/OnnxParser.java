package io.foley4j.loader;

import io.foley4j.kernels.Mem;
import io.foley4j.loader.OnnxModel.Attribute;
import io.foley4j.loader.OnnxModel.AttributeKind;
import io.foley4j.loader.OnnxModel.Dim;
import io.foley4j.loader.OnnxModel.Graph;
import io.foley4j.loader.OnnxModel.Node;
import io.foley4j.loader.OnnxModel.ValueInfo;
import io.foley4j.loader.ProtoReader.Longs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX protobuf parser in plain Java (field numbers from onnx.proto, IR versions 3-10). Reads the model's opsets,
 * the graph's nodes with their attributes (subgraphs included), initializers and input/output shapes; skips
 * doc strings, value_info, metadata and functions. Unsupported, with a {@link WeightsFormatException} naming the
 * tensor: external data, sparse initializers, typed-field storage of 4-bit types.
 */
public final class OnnxParser {
    private OnnxParser() {}

    /** Subgraph nesting limit, so hostile input cannot overflow the stack. */
    private static final int MAX_DEPTH = 64;

    /**
     * Maps and parses {@code path}. Tensors stored as raw_data are views of the mapping, which stays open as long
     * as {@code arena} does.
     */
    public static OnnxModel parse(Path path, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return parse(path.toString(), ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
        }
    }

    /** Parses a model already in memory ({@code source} names it in errors). */
    public static OnnxModel parse(String source, MemorySegment bytes) throws WeightsFormatException {
        ProtoReader r = new ProtoReader(source, bytes);
        long ir = 0;
        String producer = "", version = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Graph graph = null;
        while (r.more()) {
            int tag = r.tag();
            switch (ProtoReader.field(tag)) {
                case 1 -> { r.expect(tag, ProtoReader.VARINT); ir = r.varint(); }
                case 2 -> { r.expect(tag, ProtoReader.LEN); producer = r.string(); }
                case 3 -> { r.expect(tag, ProtoReader.LEN); version = r.string(); }
                case 7 -> { r.expect(tag, ProtoReader.LEN); graph = graph(source, r.message(), 0); }
                case 8 -> { r.expect(tag, ProtoReader.LEN); opset(r.message(), opsets); }
                default -> r.skip(tag);
            }
        }
        if (graph == null) throw new WeightsFormatException(source, null, "the model has no graph (is this an ONNX file?)");
        return new OnnxModel(ir, producer, version, Collections.unmodifiableMap(opsets), graph);
    }

    private static void opset(ProtoReader r, Map<String, Long> out) throws WeightsFormatException {
        String domain = "";
        long version = 0;
        while (r.more()) {
            int tag = r.tag();
            switch (ProtoReader.field(tag)) {
                case 1 -> { r.expect(tag, ProtoReader.LEN); domain = r.string(); }
                case 2 -> { r.expect(tag, ProtoReader.VARINT); version = r.varint(); }
                default -> r.skip(tag);
            }
        }
        out.put(domain, version);
    }

    private static Graph graph(String src, ProtoReader r, int depth) throws WeightsFormatException {
        if (depth > MAX_DEPTH) throw r.error("subgraphs nested deeper than " + MAX_DEPTH);
        String name = "";
        List<Node> nodes = new ArrayList<>();
        List<OnnxTensor> inits = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            int f = ProtoReader.field(tag);
            if (f == 1 || f == 2 || f == 5 || f == 11 || f == 12 || f == 15) r.expect(tag, ProtoReader.LEN);
            switch (f) {
                case 1 -> nodes.add(node(src, r.message(), depth));
                case 2 -> name = r.string();
                case 5 -> inits.add(tensor(src, r.message()));
                case 11 -> inputs.add(valueInfo(r.message()));
                case 12 -> outputs.add(valueInfo(r.message()));
                case 15 -> throw new WeightsFormatException(src, null, "graph '" + name + "' has sparse initializers, which are not supported");
                default -> r.skip(tag);
            }
        }
        return new Graph(name, List.copyOf(nodes), List.copyOf(inits), List.copyOf(inputs), List.copyOf(outputs));
    }

    private static Node node(String src, ProtoReader r, int depth) throws WeightsFormatException {
        String name = "", op = "", domain = "";
        List<String> in = new ArrayList<>(), out = new ArrayList<>();
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        while (r.more()) {
            int tag = r.tag();
            int f = ProtoReader.field(tag);
            if (f >= 1 && f <= 5 || f == 7) r.expect(tag, ProtoReader.LEN);
            switch (f) {
                case 1 -> in.add(r.string());
                case 2 -> out.add(r.string());
                case 3 -> name = r.string();
                case 4 -> op = r.string();
                case 5 -> { Attribute a = attribute(src, r.message(), depth); attrs.put(a.name(), a); }
                case 7 -> domain = r.string();
                default -> r.skip(tag);
            }
        }
        return new Node(name, op, domain, List.copyOf(in), List.copyOf(out), Collections.unmodifiableMap(attrs));
    }

    private static Attribute attribute(String src, ProtoReader r, int depth) throws WeightsFormatException {
        String name = "";
        long type = 0, i = 0;
        float f = 0;
        byte[] s = null;
        OnnxTensor t = null;
        Graph g = null;
        Longs floats = new Longs(), ints = new Longs();
        List<byte[]> strings = new ArrayList<>();
        List<OnnxTensor> tensors = new ArrayList<>();
        List<Graph> graphs = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            int fn = ProtoReader.field(tag);
            if (fn == 1 || fn == 4 || fn == 5 || fn == 6 || fn == 9 || fn == 10 || fn == 11) r.expect(tag, ProtoReader.LEN);
            switch (fn) {
                case 1 -> name = r.string();
                case 2 -> { r.expect(tag, ProtoReader.I32); f = Float.intBitsToFloat(r.fixed32()); }
                case 3 -> { r.expect(tag, ProtoReader.VARINT); i = r.varint(); }
                case 4 -> s = r.bytes().toArray(Mem.I8);
                case 5 -> t = tensor(src, r.message());
                case 6 -> g = graph(src, r.message(), depth + 1);
                case 7 -> r.fixeds(tag, ProtoReader.I32, floats);
                case 8 -> r.varints(tag, ints);
                case 9 -> strings.add(r.bytes().toArray(Mem.I8));
                case 10 -> tensors.add(tensor(src, r.message()));
                case 11 -> graphs.add(graph(src, r.message(), depth + 1));
                case 20 -> { r.expect(tag, ProtoReader.VARINT); type = r.varint(); }
                default -> r.skip(tag); // ref_attr_name, doc_string, sparse tensors, type protos
            }
        }
        float[] fl = new float[floats.n];
        for (int k = 0; k < fl.length; k++) fl[k] = Float.intBitsToFloat((int) floats.a[k]);
        return new Attribute(name, kind(type), f, i, s, t, g, fl, ints.toArray(), List.copyOf(strings), List.copyOf(tensors),
                List.copyOf(graphs));
    }

    private static AttributeKind kind(long type) {
        return switch ((int) Math.min(type, 99)) {
            case 1 -> AttributeKind.FLOAT;
            case 2 -> AttributeKind.INT;
            case 3 -> AttributeKind.STRING;
            case 4 -> AttributeKind.TENSOR;
            case 5 -> AttributeKind.GRAPH;
            case 6 -> AttributeKind.FLOATS;
            case 7 -> AttributeKind.INTS;
            case 8 -> AttributeKind.STRINGS;
            case 9 -> AttributeKind.TENSORS;
            case 10 -> AttributeKind.GRAPHS;
            case 11 -> AttributeKind.SPARSE_TENSOR;
            case 12 -> AttributeKind.SPARSE_TENSORS;
            case 13 -> AttributeKind.TYPE_PROTO;
            case 14 -> AttributeKind.TYPE_PROTOS;
            default -> AttributeKind.UNDEFINED;
        };
    }

    private static ValueInfo valueInfo(ProtoReader r) throws WeightsFormatException {
        String name = "";
        OnnxDataType elem = OnnxDataType.UNDEFINED;
        List<Dim> dims = new ArrayList<>();
        while (r.more()) {
            int tag = r.tag();
            switch (ProtoReader.field(tag)) {
                case 1 -> { r.expect(tag, ProtoReader.LEN); name = r.string(); }
                case 2 -> { // TypeProto
                    r.expect(tag, ProtoReader.LEN);
                    ProtoReader tp = r.message();
                    while (tp.more()) {
                        int tt = tp.tag();
                        if (ProtoReader.field(tt) != 1 || ProtoReader.wire(tt) != ProtoReader.LEN) { tp.skip(tt); continue; }
                        ProtoReader tensorType = tp.message(); // TypeProto.Tensor
                        while (tensorType.more()) {
                            int k = tensorType.tag();
                            if (ProtoReader.field(k) == 1 && ProtoReader.wire(k) == ProtoReader.VARINT) {
                                OnnxDataType d = OnnxDataType.of(tensorType.varint());
                                elem = d == null ? OnnxDataType.UNDEFINED : d;
                            } else if (ProtoReader.field(k) == 2 && ProtoReader.wire(k) == ProtoReader.LEN) {
                                shape(tensorType.message(), dims);
                            } else {
                                tensorType.skip(k);
                            }
                        }
                    }
                }
                default -> r.skip(tag);
            }
        }
        return new ValueInfo(name, elem, List.copyOf(dims));
    }

    private static void shape(ProtoReader r, List<Dim> dims) throws WeightsFormatException {
        while (r.more()) {
            int tag = r.tag();
            if (ProtoReader.field(tag) != 1 || ProtoReader.wire(tag) != ProtoReader.LEN) { r.skip(tag); continue; }
            ProtoReader d = r.message();
            long value = -1;
            String param = "";
            while (d.more()) {
                int k = d.tag();
                if (ProtoReader.field(k) == 1 && ProtoReader.wire(k) == ProtoReader.VARINT) value = d.varint();
                else if (ProtoReader.field(k) == 2 && ProtoReader.wire(k) == ProtoReader.LEN) param = d.string();
                else d.skip(k);
            }
            dims.add(new Dim(value, param));
        }
    }

    static OnnxTensor tensor(String src, ProtoReader r) throws WeightsFormatException {
        return OnnxTensors.read(src, r);
    }

    /** The value of a Constant node (value, value_float(s), value_int(s)); null for string and sparse values. */
    static OnnxTensor constantValue(Node n) {
        String out = n.outputs().get(0);
        for (Attribute a : n.attributes().values()) {
            switch (a.name()) {
                case "value" -> { return a.t(); }
                case "value_float" -> { return OnnxTensors.ofFloats(out, new long[0], new float[] {a.f()}); }
                case "value_floats" -> { return OnnxTensors.ofFloats(out, new long[] {a.floats().length}, a.floats()); }
                case "value_int" -> { return OnnxTensors.ofLongs(out, new long[0], new long[] {a.i()}); }
                case "value_ints" -> { return OnnxTensors.ofLongs(out, new long[] {a.ints().length}, a.ints()); }
                default -> { }
            }
        }
        return null;
    }

}
