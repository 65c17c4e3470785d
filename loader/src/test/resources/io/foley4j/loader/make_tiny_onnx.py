"""Makes the small ONNX files OnnxParserTest reads (run with Debian python3-onnx 1.12, in this folder):
  /usr/bin/python3 make_tiny_onnx.py
tiny_if.onnx: typed-field initializers (float_data, int64_data, FLOAT16 in int32_data, double_data)
and an If whose branches hold Constant nodes, one of them inside a nested Loop body.
tiny_external.onnx: one initializer whose data is declared external (the parser must refuse it)."""
import numpy as np
import onnx
from onnx import TensorProto, helper

w = helper.make_tensor("W", TensorProto.FLOAT, [2, 3], [1.5, -2, 3, 4, 5, 6.25])  # float_data
ids = helper.make_tensor("ids", TensorProto.INT64, [3], [7, -1, 1 << 40])  # int64_data
h = helper.make_tensor("h", TensorProto.FLOAT16, [2], [0.5, -3])  # helper stores the fp16 bits in int32_data
d = helper.make_tensor("d", TensorProto.DOUBLE, [1], [2.5])
raw = helper.make_tensor("r", TensorProto.FLOAT, [2], np.array([9, 10], np.float32).tobytes(), raw=True)

loop_body = helper.make_graph(
    [helper.make_node("Constant", [], ["deep"], name="DeepConst", value=helper.make_tensor("v", TensorProto.FLOAT, [1], [42])),
     helper.make_node("Identity", ["cond_in"], ["cond_out"])],
    "loop_body",
    [helper.make_tensor_value_info("i", TensorProto.INT64, []), helper.make_tensor_value_info("cond_in", TensorProto.BOOL, [])],
    [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, [])])
then_g = helper.make_graph(
    [helper.make_node("Constant", [], ["then_c"], value=helper.make_tensor("tc", TensorProto.FLOAT, [2, 2], [1, 2, 3, 4])),
     helper.make_node("Loop", ["", "c"], [], name="L", body=loop_body)],
    "then", [], [helper.make_tensor_value_info("then_c", TensorProto.FLOAT, [2, 2])])
else_g = helper.make_graph(
    [helper.make_node("Constant", [], ["else_f"], value_floats=[0.25, 0.5]),
     helper.make_node("Constant", [], ["else_i"], value_ints=[3, 4, 5])],
    "else", [], [helper.make_tensor_value_info("else_f", TensorProto.FLOAT, [2])])
graph = helper.make_graph(
    [helper.make_node("If", ["c"], ["y"], name="If_0", then_branch=then_g, else_branch=else_g),
     helper.make_node("Gemm", ["x", "W"], ["z"], name="gemm", alpha=0.5, transB=1)],
    "tiny",
    [helper.make_tensor_value_info("c", TensorProto.BOOL, []), helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b"]), helper.make_tensor_value_info("z", TensorProto.FLOAT, ["n", 2])],
    [w, ids, h, d, raw])
model = helper.make_model(graph, producer_name="foley4j-test", opset_imports=[helper.make_opsetid("", 13)])
# Not checker-valid (the Loop has no outputs): it exists to be parsed, not run.
onnx.save(model, "tiny_if.onnx")

ext = helper.make_tensor("E", TensorProto.FLOAT, [4], [0, 0, 0, 0])
ext.ClearField("float_data")
ext.data_location = TensorProto.EXTERNAL
entry = ext.external_data.add()
entry.key, entry.value = "location", "weights.bin"
g2 = helper.make_graph([helper.make_node("Identity", ["E"], ["o"])], "ext", [],
                       [helper.make_tensor_value_info("o", TensorProto.FLOAT, [4])], [ext])
onnx.save(helper.make_model(g2, producer_name="foley4j-test"), "tiny_external.onnx", save_as_external_data=False)
