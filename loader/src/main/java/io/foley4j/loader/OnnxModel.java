package io.foley4j.loader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX {@code ModelProto} the engine uses (see {@link OnnxParser}). Field names follow onnx.proto.
 */
public record OnnxModel(long irVersion, String producerName, String producerVersion, Map<String, Long> opsets, Graph graph) {

    public record Graph(String name, List<Node> nodes, List<OnnxTensor> initializers, List<ValueInfo> inputs,
                        List<ValueInfo> outputs) {}

    public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                       Map<String, Attribute> attributes) {}

    /** {@code TensorProto.AttributeType}; the fields of {@link Attribute} that are not of its kind are empty/null. */
    public enum AttributeKind { UNDEFINED, FLOAT, INT, STRING, TENSOR, GRAPH, FLOATS, INTS, STRINGS, TENSORS, GRAPHS, SPARSE_TENSOR,
        SPARSE_TENSORS, TYPE_PROTO, TYPE_PROTOS }

    public record Attribute(String name, AttributeKind kind, float f, long i, byte[] s, OnnxTensor t, Graph g,
                            float[] floats, long[] ints, List<byte[]> strings, List<OnnxTensor> tensors, List<Graph> graphs) {}

    /** A graph input or output: element type and dims ({@link Dim#value} -1 where symbolic or unknown). */
    public record ValueInfo(String name, OnnxDataType elemType, List<Dim> dims) {}

    public record Dim(long value, String param) {}

    /**
     * Every constant tensor: initializers and the values of {@code Constant} nodes, recursively through subgraph
     * attributes (If's then/else_branch, Loop's body...). Keys are paths: a top-level tensor by its own name (a
     * Constant node's by its output name); inside a subgraph, {@code node/attribute/name} joined by '/', where
     * {@code node} is the node's name, or {@code opType#index} when it has none; a graphs-list attribute adds
     * {@code [k]}. Example: {@code If_0/then_branch/Constant_12_output_0}.
     */
    public Map<String, OnnxTensor> constants() {
        Map<String, OnnxTensor> out = new LinkedHashMap<>();
        collect(graph, "", out);
        return out;
    }

    private static void collect(Graph g, String prefix, Map<String, OnnxTensor> out) {
        for (OnnxTensor t : g.initializers()) out.putIfAbsent(prefix + t.name(), t);
        for (int k = 0; k < g.nodes().size(); k++) {
            Node n = g.nodes().get(k);
            if (n.opType().equals("Constant") && (n.domain().isEmpty() || n.domain().equals("ai.onnx"))
                    && !n.outputs().isEmpty()) {
                OnnxTensor t = OnnxParser.constantValue(n);
                if (t != null) out.putIfAbsent(prefix + n.outputs().get(0), t);
            }
            String label = n.name().isEmpty() ? n.opType() + "#" + k : n.name();
            for (Attribute a : n.attributes().values()) {
                if (a.g() != null) collect(a.g(), prefix + label + "/" + a.name() + "/", out);
                for (int j = 0; j < a.graphs().size(); j++) {
                    collect(a.graphs().get(j), prefix + label + "/" + a.name() + "[" + j + "]/", out);
                }
            }
        }
    }
}
