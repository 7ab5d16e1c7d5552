# mistake: starts the backward pass with dout = 1 at Affine2, skipping the loss layer
# caught-by: visible
class TwoLayerNet:
    """Affine -> Relu -> Affine -> SoftmaxWithLoss, built from course_lib's layers (the book's section 5.7).

    params: 'W1' (D, H), 'b1' (H,), 'W2' (H, C), 'b2' (C,). x: (N, D); t: indices (N,) or one-hot (N, C).
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=None):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
            "b2": np.zeros(output_size),
        }
        self.layers = OrderedDict()
        self.layers["Affine1"] = layers.Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = layers.Relu()
        self.layers["Affine2"] = layers.Affine(self.params["W2"], self.params["b2"])
        self.last_layer = layers.SoftmaxWithLoss()

    def predict(self, x):
        """x (N, D) -> scores (N, C), before softmax."""
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """Mean cross-entropy of softmax(predict(x)) against t (indices (N,) or one-hot (N, C)) -> a float."""
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        """Gradients by backpropagation: {'W1': (D, H), 'b1': (H,), 'W2': (H, C), 'b2': (C,)}."""
        self.loss(x, t)                                  # forward: every layer stores what its backward needs
        dout = 1
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Affine1"].dW, "b1": self.layers["Affine1"].db,
                "W2": self.layers["Affine2"].dW, "b2": self.layers["Affine2"].db}
