package io.foley4j.loader;

import io.foley4j.engine.DType;
import io.foley4j.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one table of tensors a model expects: name, shape (a dimension of {@link #ANY} matches any size) and the
 * dtypes it accepts. {@link #bind} checks a file against the whole table and reports every missing, unexpected,
 * mis-shaped and wrongly typed tensor by name in a single {@link WeightsFormatException}.
 * <pre>
 *   WeightTable t = new WeightTable()
 *       .expect("embeddings.word_embeddings.weight", WeightTable.FLOAT, vocab, hidden)
 *       .ignore(n -> n.endsWith("position_ids"));
 *   WeightTable.Bound w = t.bind(file);
 *   Tensor emb = w.get("embeddings.word_embeddings.weight");
 * </pre>
 */
public final class WeightTable {
    /** Dimension wildcard. */
    public static final int ANY = -1;
    /** Every floating or quantized engine dtype. */
    public static final Set<DType> FLOAT = Collections.unmodifiableSet(
            EnumSet.of(DType.F32, DType.F16, DType.BF16, DType.I8_ROW, DType.I8_BLOCK32));

    public record Expected(String name, int[] shape, Set<DType> dtypes) {
        boolean shapeMatches(long[] actual) {
            if (actual.length != shape.length) return false;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] != ANY && shape[i] != actual[i]) return false;
            }
            return true;
        }
    }

    /** Tensors bound by name; every name of the table is present. */
    public record Bound(Map<String, Tensor> tensors) {
        public Tensor get(String name) {
            Tensor t = tensors.get(name);
            if (t == null) throw new IllegalArgumentException("WeightTable.Bound: '" + name + "' is not in the table");
            return t;
        }
    }

    private final Map<String, Expected> expected = new LinkedHashMap<>();
    private final List<Predicate<String>> ignored = new ArrayList<>();

    public WeightTable expect(String name, Set<DType> dtypes, int... shape) {
        if (expected.put(name, new Expected(name, shape.clone(), Set.copyOf(dtypes))) != null) {
            throw new IllegalArgumentException("WeightTable: '" + name + "' declared twice");
        }
        return this;
    }

    /** Tensors of the file to leave unused without complaint (buffers such as position_ids). */
    public WeightTable ignore(Predicate<String> names) {
        ignored.add(names);
        return this;
    }

    public Map<String, Expected> expected() {
        return Collections.unmodifiableMap(expected);
    }

    /** Zero-copy views of every expected tensor, or one exception listing every problem. */
    public Bound bind(SafetensorsFile file) throws WeightsFormatException {
        List<String> problems = new ArrayList<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Expected e : expected.values()) {
            if (!file.contains(e.name)) {
                problems.add("missing " + e.name + " " + Arrays.toString(e.shape));
                continue;
            }
            SafetensorsFile.TensorInfo info = file.info(e.name);
            boolean ok = true;
            if (!e.shapeMatches(info.shape())) {
                problems.add("mis-shaped " + e.name + ": expected " + Arrays.toString(e.shape) + ", found " + Arrays.toString(info.shape()));
                ok = false;
            }
            if (info.engine() == null || !e.dtypes.contains(info.engine())) {
                problems.add("wrong dtype " + e.name + ": expected one of " + e.dtypes.stream().sorted().toList() + ", found "
                        + (info.engine() == null ? info.stored() : info.engine()));
                ok = false;
            }
            if (ok) out.put(e.name, file.tensor(e.name));
        }
        for (String name : file.names()) {
            if (!expected.containsKey(name) && ignored.stream().noneMatch(p -> p.test(name))) {
                problems.add("unexpected " + file.info(name));
            }
        }
        if (!problems.isEmpty()) {
            throw new WeightsFormatException(file.source(), null, problems.size() + " weight problems:\n  "
                    + String.join("\n  ", problems));
        }
        return new Bound(Collections.unmodifiableMap(out));
    }
}
