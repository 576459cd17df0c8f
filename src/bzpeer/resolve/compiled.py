"""The merge classifier's trees compiled to C (tl2cgen), for large scoring batches."""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import logging
import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from bzpeer.resolve.scoring import COMPILED, Bagged, Classifier, Forest

log = logging.getLogger(__name__)

# Name blocks in a run from which missing compiled trees are built (a few
# seconds, once: later runs load them). The arXiv listings have 76,446.
COMPILE_FROM = 20_000


class Compiled:
    """A fitted binary ``HistGradientBoostingClassifier`` compiled to C by
    tl2cgen, for the large scoring batches.

    scikit-learn walks its trees one at a time over every row, about 7 us a
    row for 300 trees on the listings' first rounds (a quarter of the learned
    stage's CPU); the compiled trees, their thresholds turned into integer
    bins, take a third of that. The baseline is the library's first tree and the
    sum is read as the raw margin, so the trees are added from scikit-learn's
    starting value in its order and ``expit`` is applied as it applies it:
    the same floats (``test_learned`` checks).
    """

    def __init__(self, library: Path) -> None:
        import tl2cgen

        self._predictor = tl2cgen.Predictor(library, nthread=1)

    def probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        import tl2cgen

        matrix = tl2cgen.DMatrix(np.ascontiguousarray(x, dtype=np.float64), dtype="float64")
        margin = self._predictor.predict(matrix, pred_margin=True)
        return expit(np.asarray(margin, dtype=np.float64).reshape(len(x)))  # type: ignore[no-any-return]

    @staticmethod
    def build(model: Any, library: Path) -> None:
        """Compile ``model`` (a model ``Forest.of`` can walk) into ``library``."""
        import tl2cgen
        from treelite.model_builder import Metadata, ModelBuilder, PostProcessorFunc, TreeAnnotation

        trees = [iteration[0].nodes for iteration in model._predictors]
        count = len(trees) + 1
        builder = ModelBuilder(
            threshold_type="float64",
            leaf_output_type="float64",
            metadata=Metadata(
                num_feature=int(model.n_features_in_),
                task_type="kRegressor",
                average_tree_output=False,
                num_target=1,
                num_class=[1],
                leaf_vector_shape=(1, 1),
            ),
            tree_annotation=TreeAnnotation(
                num_tree=count, target_id=[0] * count, class_id=[0] * count
            ),
            postprocessor=PostProcessorFunc(name="identity"),
            base_scores=[0.0],
        )
        forest = Forest.of(model)
        if forest is None:
            raise ValueError("not a binary HistGradientBoostingClassifier on numeric features")
        builder.start_tree()  # the baseline, added first as scikit-learn adds it
        builder.start_node(0)
        builder.leaf(forest.baseline)
        builder.end_node()
        builder.end_tree()
        for nodes in trees:
            builder.start_tree()
            for key, node in enumerate(nodes):
                builder.start_node(key)
                if node["is_leaf"]:
                    builder.leaf(float(node["value"]))
                else:  # scikit-learn: a missing value goes its learned way, else x <= threshold
                    builder.numerical_test(
                        int(node["feature_idx"]),
                        float(node["num_threshold"]),
                        default_left=bool(node["missing_go_to_left"]),
                        opname="<=",
                        left_child_key=int(node["left"]),
                        right_child_key=int(node["right"]),
                    )
                builder.end_node()
            builder.end_tree()
        # Each process its own file, renamed into place: two runs may compile at once.
        temporary = library.with_suffix(f".{os.getpid()}.tmp")
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # tl2cgen's notes on compiling
                tl2cgen.export_lib(
                    builder.commit(),
                    toolchain="gcc",
                    libpath=temporary,
                    # Units compiled side by side; each adds its trees to the one sum, in order.
                    params={"quantize": 1, "parallel_comp": 8},
                    nthread=os.cpu_count() or 1,
                    options=["-O2"],
                )
            temporary.replace(library)
        finally:
            temporary.unlink(missing_ok=True)



# Where each model from ``model.shipped_model`` is cached: its libraries go beside it.
MODEL_FILES: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()


def use_compiled(model: Classifier, blocks: int) -> bool:
    """Whether ``model``'s large batches are now scored by its compiled trees,
    for a run of ``blocks`` name blocks.

    The libraries live beside the model's cached file (``shipped_model``);
    missing ones are compiled for a run of ``COMPILE_FROM`` blocks or more,
    which needs a C compiler. Without them, or for a model from elsewhere,
    scikit-learn scores as before. Call it before forking: the workers inherit
    the libraries.
    """
    models = model.models if isinstance(model, Bagged) else [model]
    path = MODEL_FILES.get(model)
    if path is None or any(Forest.of(m) is None for m in models):
        return False
    try:
        # The version names the libraries; tl2cgen itself (30 ms to import)
        # is loaded only when there is a library to load or build.
        version = importlib.metadata.version("tl2cgen")
        for number, part in enumerate(models):
            if part in COMPILED:
                continue
            library = path.with_name(f"{path.stem}-{number}-tl2cgen-{version}.so")
            if not library.exists():
                if blocks < COMPILE_FROM:
                    return False
                Compiled.build(part, library)
            COMPILED[part] = Compiled(library)
    except Exception as exc:  # no compiler, a failed build: scikit-learn still scores
        log.warning("scoring without compiled trees: %s: %s", type(exc).__name__, exc)
        return False
    return True
