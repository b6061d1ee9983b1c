"""The ``archgate`` fixture object: what a linked test uses to record measurements.

It delegates every computation to the pure library (:mod:`pytest_archgate.measure.metrics`,
:mod:`pytest_archgate.measure.latency`) and only adds bookkeeping: which ADRs and option the test is
linked to, which confidence levels their criteria need, and where per-row predictions go so that
paired ``vs`` criteria can be judged at the end of the session.
"""

from __future__ import annotations

import numbers
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsFloat

from pytest_archgate.adr.cost import (
    CostModel,
    cost_estimate_from_tokens,
    cost_estimates_from_throughput,
    cost_model_of,
)
from pytest_archgate.errors import MeasurementError
from pytest_archgate.measure.estimate import (
    DEFAULT_LEVEL,
    MAX_COUNT,
    Estimate,
    Measurement,
    bad_name_reason,
    check_device,
    check_estimate,
    check_evaluate_args,
    check_int,
    check_level,
    check_name,
    check_number,
    check_record_args,
    levels_for,
    short_repr,
)
from pytest_archgate.plugin.linking import Link

if TYPE_CHECKING:
    from pytest_archgate.measure.cache import Entry
    from pytest_archgate.measure.latency import LatencyResult


class Archgate:
    """Records measurements for the ADRs a test is linked to.

    ``record``, ``evaluate`` and ``latency`` take an optional ``option=`` that overrides the
    marker's option, so one test can measure several candidates side by side.

    Measurements may be recorded in any phase of the test (setup, call, teardown, finalizers)
    and from any thread until the test's teardown ends; the plugin ships what is new after each
    phase (:meth:`take`). After the teardown the recorder is closed: a later measurement (from a
    thread that outlived the test) raises :class:`MeasurementError` and is reported through
    ``on_late``, so it fails the run instead of vanishing.
    """

    def __init__(
        self,
        nodeid: str,
        links: Sequence[Link],
        *,
        scratch: Path | None = None,
        device: str = "cpu",
        on_late: Callable[[str], None] | None = None,
        family: str = "none",
        cache: CacheSettings | None = None,
    ) -> None:
        self.nodeid = nodeid
        self._cache = cache
        # id(estimate) -> (estimate, cache provenance) of what a cache block restored or stored,
        # so that the same Estimate recorded again keeps its origin (see record_estimate)
        self._cached_estimates: dict[int, tuple[Estimate, Mapping[str, Any]]] = {}
        self._family = family  # the run's family setting: Holm needs more levels computed
        self.links = list(links)
        self.measurements: list[Measurement] = []
        self._scratch = scratch
        self._device = device
        self._lock = threading.Lock()
        self._shipped = 0
        self._closed = False
        self._on_late = on_late

    # ------------------------------------------------------------------ phases
    def take(self, *, close: bool = False) -> list[Measurement]:
        """The measurements recorded since the last call; ``close`` refuses later ones."""
        with self._lock:
            new = self.measurements[self._shipped :]
            self._shipped = len(self.measurements)
            if close:
                self._closed = True
        return new

    @property
    def closed(self) -> bool:
        return self._closed

    def _append(self, measurement: Measurement) -> None:
        with self._lock:
            if not self._closed:
                self.measurements.append(measurement)
                return
        message = (
            f"{self.nodeid}: {measurement.metric} [{measurement.option}] for {measurement.adr} "
            "was recorded after the test's teardown ended (a thread that outlived the test?); "
            "it cannot be judged: wait for the thread before the test's teardown returns"
        )
        if self._on_late is not None:
            self._on_late(message)
        raise MeasurementError(message, field=measurement.metric)

    # ------------------------------------------------------------------ introspection
    @property
    def adrs(self) -> list[str]:
        """Ids of the ADRs this test is linked to."""
        return list(dict.fromkeys(link.adr.id for link in self.links))

    @property
    def option(self) -> str | None:
        """The option this test measures (the marker's, else the ADR's decision)."""
        options = list(dict.fromkeys(link.option for link in self.links))
        return options[0] if len(options) == 1 else None

    def _targets(self, option: str | None) -> list[tuple[Link, str | None]]:
        if not self.links:
            raise MeasurementError(
                'this test is not linked to any ADR: add @pytest.mark.archgate("ADR-NNNN")',
                field=self.nodeid,
            )
        if option is not None:
            check_name(option, "option")
        out = []
        for link in self.links:
            chosen = option if option is not None else link.option
            if option is not None and link.adr.options and option not in link.adr.options:
                raise MeasurementError(
                    f"option {option!r} is not one of {link.adr.id}'s options "
                    f"({', '.join(link.adr.options)})",
                    field="option",
                )
            out.append((link, chosen))
        return out

    def _confidences(self, metric: str) -> list[float]:
        from pytest_archgate.verdict.family import requested_confidences

        return [
            c.confidence
            for link in self.links
            for c in link.adr.criteria
            if c.metric == metric and c.confidence is not None
        ] + [
            c for link in self.links for c in requested_confidences(link.adr, metric, self._family)
        ]

    def _needs_rows(self, metric: str) -> bool:
        return any(
            c.vs is not None and c.metric == metric
            for link in self.links
            for c in link.adr.criteria
        )

    def _mark(self, start: int, cache: Mapping[str, Any]) -> list[Measurement] | None:
        """Give the measurements recorded since index ``start`` their cache provenance, each
        its own ``origin`` (``<origin>:<index>``) and ``rows`` (the id of its per-row scores);
        ``None`` when some were shipped already (their copies elsewhere cannot be marked)."""
        from dataclasses import replace

        with self._lock:
            if start < self._shipped:
                return None
            for i in range(start, len(self.measurements)):
                m = self.measurements[i]
                extra = {"rows": Path(m.predictions).stem} if m.predictions else {}
                origin = f"{cache['origin']}:{i - start}"
                provenance = {**cache, **extra, "origin": origin}
                self.measurements[i] = replace(m, cache=provenance)
                self._cached_estimates[id(m.estimate)] = (m.estimate, provenance)
            return self.measurements[start:]

    def _add(
        self,
        metric: str,
        estimate: Estimate,
        option: str | None,
        *,
        device: str | None = None,
        fingerprint: str | None = None,
        predictions: str | None = None,
        environment: dict[str, Any] | None = None,
        replicate: str | None = None,
        cache: Mapping[str, Any] | None = None,
    ) -> None:
        for link, chosen in self._targets(option):
            self._append(
                Measurement(
                    adr=link.adr.id,
                    option=chosen,
                    metric=metric,
                    estimate=estimate,
                    nodeid=self.nodeid,
                    device=device or self._device,
                    fingerprint=fingerprint,
                    predictions=predictions,
                    environment=environment or {},
                    replicate=replicate,
                    cache=cache,
                )
            )

    # ------------------------------------------------------------------ evaluation cache
    def cache(
        self,
        name: str = "",
        *,
        data: object = (),
        files: object = (),
        code: object = (),
        config: Mapping[str, Any] | None = None,
        packages: object = (),
    ) -> CacheBlock:
        """A block whose measurements are kept in the evaluation cache by what they depend on.

        ::

            with archgate.cache(data=X_test, code=train, config={"seed": 3},
                                packages=["xgboost"]) as cached:
                if not cached.hit:
                    archgate.evaluate(y, train(seed=3).predict_proba(X_test), replicate="seed-3")

        On a hit the measurements the block recorded when the entry was made are recorded
        again, marked as cached with the commit and date they were made, and the block must
        record nothing itself (skip the work: ``cached.hit``). On a miss what the block records
        is stored when it ends without an exception. ``data`` are fingerprints or arrays,
        ``files`` paths (hashed by content), ``code`` callables or modules (their source),
        ``config`` a JSON mapping, ``packages`` distribution names (their installed versions);
        the test, its links, the linked ADRs' criteria, archgate's and Python's versions are
        added. ``name`` tells apart several blocks of one test. See ``docs/cache.md``.
        """
        from pytest_archgate.measure.cache import dependencies

        if not isinstance(name, str):
            raise MeasurementError(f"name must be a string, got {short_repr(name)}", field="cache")
        links = self._targets(None)
        settings = self._cache or CacheSettings()
        material = dependencies(
            name=name,
            nodeid=self.nodeid,
            links=[
                {
                    "adr": link.adr.id,
                    "option": chosen,
                    "decision": link.adr.decision,
                    "options": list(link.adr.options),
                    "criteria": [
                        {k: v for k, v in c.to_json().items() if k != "line"}
                        for c in link.adr.criteria
                    ],
                }
                for link, chosen in links
            ],
            family=self._family,
            data=data,
            files=files,
            code=code,
            config=config,
            packages=packages,
            root=settings.root,
        )
        allowed: dict[str, set[str | None]] = {}
        for link, chosen in links:
            allowed.setdefault(link.adr.id, set()).update({chosen, *link.adr.options})
        return CacheBlock(self, settings, material, allowed)

    # ------------------------------------------------------------------ recording
    def record(
        self,
        name: str,
        value: SupportsFloat,
        *,
        ci: tuple[float, float] | None = None,
        level: float = DEFAULT_LEVEL,
        option: str | None = None,
        device: str | None = None,
        n: int | None = None,
        method: str = "recorded",
        replicate: str | None = None,
    ) -> Estimate:
        """Record one measured value (a finite number), optionally with its interval.

        ``replicate`` names the replicate (e.g. ``"seed-3"``) when this value is one of several
        runs of the same candidate; see :mod:`pytest_archgate.measure.replicates`.
        """
        args = check_record_args(name, value, ci=ci, level=level, n=n, method=method, device=device)
        name, v, intervals, lv = args.name, args.value, args.intervals, args.level
        rep = _check_replicate(replicate)
        self._targets(option)  # an unknown option is refused before anything is recorded
        estimate = Estimate(value=v, method=method, n=args.n, level=lv, intervals=intervals)
        self._add(name, estimate, option, device=args.device, replicate=rep)
        return estimate

    def record_estimate(
        self,
        name: str,
        estimate: Estimate,
        *,
        option: str | None = None,
        device: str | None = None,
        replicate: str | None = None,
    ) -> Estimate:
        """Record an :class:`Estimate` computed elsewhere (e.g. by ``compare`` or a bridge)."""
        name = check_name(name, "name")
        check_estimate(estimate, name)
        if "partial" in estimate.details:  # merge computes from it: what is written must load
            from pytest_archgate.measure.partial import partial_from_json

            try:
                partial_from_json(estimate.details["partial"])
            except MeasurementError as exc:
                raise MeasurementError(
                    f"details.partial.{exc.field}: {exc.message}", field=name
                ) from None
        dev = check_device(device, name)
        rep = _check_replicate(replicate)
        self._targets(option)
        # an estimate a cache block restored (or stored) keeps its origin: recorded again under
        # another replicate id it is still the one run, never an independent replicate
        known = self._cached_estimates.get(id(estimate))
        provenance = known[1] if known is not None and known[0] is estimate else None
        self._add(name, estimate, option, device=dev, replicate=rep, cache=provenance)
        return estimate

    def evaluate(
        self,
        y_true: Any = None,
        y_score: Any = None,
        metrics: Iterable[str] = ("roc_auc",),
        *,
        option: str | None = None,
        threshold: float = 0.5,
        level: float = DEFAULT_LEVEL,
        n_boot: int = 1000,
        seed: int = 0,
        names: Mapping[str, str] | None = None,
        replicate: str | None = None,
        chunks: Iterable[Any] | None = None,
        shard: str | None = None,
    ) -> dict[str, Estimate]:
        """Compute ``metrics`` with intervals and record them; returns what was recorded.

        ``names`` records a metric under another name, e.g. ``{"accuracy":
        "accuracy_on_changed_facts"}``, so one metric can feed several criteria.
        ``replicate`` names the replicate (``"seed-3"``, ``"split-1"``, ``"run-2"``) when this
        evaluation is one of several runs of the same candidate: the criterion is then judged on
        all replicates together, with the between-replicate variance in its interval.

        Rows too large for memory: ``chunks=`` (``(y_true, y_score[, sample_weight])`` tuples)
        or Dask arrays as ``y_true`` and ``y_score``. ``shard="k/K"`` says these rows are shard
        k of K of one test set: each estimate then carries its sufficient statistics, and
        ``archgate merge`` of the K reports judges the metrics over all rows
        (``docs/distributed.md``).
        """
        import numpy as np

        from pytest_archgate.measure.metrics import data_fingerprint, evaluate, is_distributed

        metric_names, _, level, _, _ = check_evaluate_args(
            metrics, threshold=threshold, level=level, n_boot=n_boot, seed=seed
        )
        if names is not None and not isinstance(names, Mapping):
            raise MeasurementError(
                f"must map metric names to the names to record them under, got {short_repr(names)}",
                field="names",
            )
        renamed = dict(names or {})
        for new_name in renamed.values():
            check_name(new_name, "names")
        rep = _check_replicate(replicate)
        self._targets(option)
        unknown = sorted(repr(k) for k in set(renamed) - set(metric_names))
        if unknown:
            raise MeasurementError(
                f"names renames {', '.join(unknown)}, which is not among the metrics evaluated",
                field="names",
            )
        recorded_as = {m: renamed.get(m, m) for m in metric_names}
        confidences = [c for m in metric_names for c in self._confidences(recorded_as[m])]
        if shard is not None or chunks is not None or is_distributed(y_true, y_score):
            return self._evaluate_parts(
                y_true,
                y_score,
                recorded_as,
                levels_for(confidences, level),
                option=option,
                threshold=threshold,
                level=level,
                n_boot=n_boot,
                seed=seed,
                replicate=rep,
                chunks=chunks,
                shard=shard,
            )
        results = evaluate(
            y_true,
            y_score,
            metric_names,
            threshold=threshold,
            level=level,
            levels=levels_for(confidences, level),
            n_boot=n_boot,
            seed=seed,
        )
        y = np.asarray(y_true, dtype=np.float64)
        fingerprint = data_fingerprint(y)
        predictions: str | None = None
        if self._scratch is not None and any(
            self._needs_rows(recorded_as[m]) for m in metric_names
        ):
            path = self._scratch / f"{uuid.uuid4().hex}.npz"
            np.savez(
                path,
                y_true=y,
                y_score=np.asarray(y_score, dtype=np.float64),
                threshold=np.float64(threshold),
                # recorded name -> the metric that computes it, for the paired comparison
                metric_names=np.array([f"{recorded_as[m]}={m}" for m in metric_names]),
            )
            predictions = str(path)
        from pytest_archgate.measure.environment import collect_environment

        environment = collect_environment()
        environment["data_fingerprint"] = fingerprint
        environment["n_rows"] = len(y)
        for name, est in results.items():
            self._add(
                recorded_as.get(name, name),
                est,
                option,
                fingerprint=fingerprint,
                predictions=predictions,
                environment=environment,
                replicate=rep,
            )
        return {recorded_as.get(k, k): v for k, v in results.items()}

    def _evaluate_parts(
        self,
        y_true: Any,
        y_score: Any,
        recorded_as: Mapping[str, str],
        levels: tuple[float, ...],
        *,
        option: str | None,
        threshold: float,
        level: float,
        n_boot: int,
        seed: int,
        replicate: str | None,
        chunks: Iterable[Any] | None,
        shard: str | None,
    ) -> dict[str, Estimate]:
        """:meth:`evaluate` of rows in chunks, in Dask arrays, or of one shard of a test set
        (the arguments checked by :meth:`evaluate`)."""
        from dataclasses import replace

        import numpy as np

        from pytest_archgate.measure import partial
        from pytest_archgate.measure.metrics import (
            data_fingerprint,
            evaluate,
            evaluate_parts,
            is_distributed,
            parts_of,
        )

        where = _check_shard(shard)
        metric_names = list(recorded_as)
        rep = replicate
        for m in metric_names:
            if self._needs_rows(recorded_as[m]):
                raise MeasurementError(
                    "a paired vs criterion needs the rows in memory, and these come in chunks, "
                    "Dask arrays or shards; compare with archgate.compare(chunks=...) and "
                    "record_estimate instead",
                    field=recorded_as[m],
                )
        in_memory = chunks is None and not is_distributed(y_true, y_score)
        if in_memory:  # one shard held in memory: its statistics come from the same rows
            data = parts_of(chunks=[(y_true, y_score)], width=2)
        else:
            data = parts_of(y_true, y_score, chunks=chunks)
        mergeable = [m for m in metric_names if partial.unmergeable_reason(m) is None]
        rest = [m for m in metric_names if m not in mergeable]
        if rest and not in_memory:
            partial.check_mergeable(rest[0])
        results: dict[str, Estimate] = {}
        statistics: dict[str, Any] = {}
        fingerprint, rows = "", 0
        if mergeable:
            parts = evaluate_parts(
                data, mergeable, threshold=threshold, level=level, levels=levels, fingerprint=True
            )
            results.update(parts.estimates)
            statistics = parts.partials
            fingerprint, rows = parts.fingerprint or "", parts.rows
        if rest:  # a shard in memory: its own value, marked as not mergeable
            results.update(
                evaluate(
                    y_true,
                    y_score,
                    rest,
                    threshold=threshold,
                    level=level,
                    levels=levels,
                    n_boot=n_boot,
                    seed=seed,
                )
            )
            y = np.asarray(y_true, dtype=np.float64)
            fingerprint, rows = data_fingerprint(y), len(y)
        if where is not None:
            for m in metric_names:
                carried = partial.partial_to_json(
                    statistics.get(m),
                    shard=where,
                    fingerprint=fingerprint,
                    reason=partial.unmergeable_reason(m),
                    levels=levels,
                )
                results[m] = replace(results[m], details={**results[m].details, "partial": carried})
        from pytest_archgate.measure.environment import collect_environment

        environment = collect_environment()
        environment["data_fingerprint"] = fingerprint
        environment["n_rows"] = rows
        out: dict[str, Estimate] = {}
        for m in metric_names:
            self._add(
                recorded_as[m],
                results[m],
                option,
                fingerprint=fingerprint,
                environment=environment,
                replicate=rep,
            )
            out[recorded_as[m]] = results[m]
        return out

    def record_passes(
        self,
        name: str,
        passes: Any,
        *,
        option: str | None = None,
        k: Iterable[int] | int = (),
        level: float = DEFAULT_LEVEL,
        seed: int = 0,
    ) -> dict[str, Estimate]:
        """Record the pass rate of per-item pass/fail checks over repeated runs.

        ``passes`` is a 2-D bool array, items x runs (an LLM asked each question several
        times). Records ``name``, the mean pass rate, with an interval clustered by item (runs
        of one item are correlated; items are the independent units), and for each ``k`` in
        ``k`` the metric ``f"{name}_pass^{k}"``: the share of items whose ``k`` runs drawn
        without replacement all pass (tau-bench's pass^k, Yao et al. 2024). Fewer than
        :data:`~pytest_archgate.measure.replicates.MIN_ITEMS` items: the intervals are refused and
        ``confidence`` criteria are ``unmeasured``. ``seed`` is recorded with the estimate; the
        closed-form interval draws nothing at random.
        """
        from pytest_archgate.measure.replicates import (
            check_passes,
            item_mean_estimate,
            pass_at_all_k,
        )

        metric = check_name(name, "name")
        arr = check_passes(passes, metric)
        lv = check_level(level, metric, what="level")
        sd = check_int(seed, metric, minimum=0, maximum=2**128, what="seed")
        runs = int(arr.shape[1])
        ks = _check_ks(k, runs, metric)
        names = {kk: metric if kk == 1 else f"{metric}_pass^{kk}" for kk in (1, *ks)}
        for recorded in names.values():
            check_name(recorded, "name")
        self._targets(option)
        counts = arr.sum(axis=1)
        results: dict[str, Estimate] = {}
        for kk, recorded in names.items():
            per_item = counts / runs if kk == 1 else pass_at_all_k(counts, runs, kk)
            results[recorded] = item_mean_estimate(
                per_item,
                runs=runs,
                k=kk,
                levels=levels_for(self._confidences(recorded), lv),
                level=lv,
                seed=sd,
            )
        for recorded, est in results.items():
            self._add(recorded, est, option)
        return results

    def probability_of_outperforming(
        self,
        name: str,
        a: Iterable[float],
        b: Iterable[float],
        *,
        paired: bool = False,
        option: str | None = None,
        level: float = DEFAULT_LEVEL,
    ) -> Estimate:
        """Record P(A > B) over replicates as metric ``name`` (Bouthillier et al. 2021).

        ``a`` and ``b`` are per-replicate values of two candidates (e.g. AUC per seed);
        ``paired=True`` when ``a[i]`` and ``b[i]`` share seed and split. The estimate is the
        share of (paired, else all) pairs where A is higher, ties counting half, with a Wilson
        interval; gate it with e.g. ``p_better: {min: 0.75}`` or ``{min: 0.5, confidence:
        0.95}``.
        """
        from pytest_archgate.measure.replicates import outperform_estimate

        metric = check_name(name, "name")
        xs = _check_values(a, metric, "a")
        ys = _check_values(b, metric, "b")
        if paired and len(xs) != len(ys):
            raise MeasurementError(
                f"paired needs as many values in a as in b, got {len(xs)} and {len(ys)}",
                field=metric,
            )
        lv = check_level(level, metric, what="level")
        self._targets(option)
        est = outperform_estimate(
            xs, ys, paired=paired, levels=levels_for(self._confidences(metric), lv), level=lv
        )
        self._add(metric, est, option)
        return est

    def latency(
        self,
        fn: Callable[..., Any],
        *,
        option: str | None = None,
        warmup: int = 10,
        runs: int | None = None,
        max_seconds: float = 10.0,
        device: str | None = None,
        **opts: Any,
    ) -> LatencyResult:
        """Time ``fn`` call by call and record latency percentiles and throughput.

        ``fn`` must do the work when called: a function that returns a generator, a coroutine
        or another awaitable is refused (only its creation would be timed).
        """
        from pytest_archgate.measure.latency import LATENCY_OPTIONS, measure_latency

        unknown = sorted(
            k if bad_name_reason(k) is None else short_repr(k)
            for k in opts
            if k not in LATENCY_OPTIONS
        )
        if unknown:
            takes = ("option", "warmup", "runs", "max_seconds", "device", *LATENCY_OPTIONS)
            raise MeasurementError(
                f"unknown argument(s) {', '.join(unknown)}; latency() takes {', '.join(takes)}",
                field="latency",
            )
        self._targets(option)

        confidences = [
            c
            for name in (
                "latency_p50_ms",
                "latency_p95_ms",
                "latency_p99_ms",
                "latency_mean_ms",
                "throughput_per_s",
            )
            for c in self._confidences(name)
        ]
        result = measure_latency(
            fn,
            warmup=warmup,
            runs=runs,
            max_seconds=max_seconds,
            device=device,
            # only the criteria's levels set the minimum number of calls; the standard set is
            # added where the calls made allow it (LatencyResult.all_levels)
            levels=levels_for(confidences, standard=False),
            **opts,
        )
        used_device = "cuda" if str(result.device).startswith("cuda") else "cpu"
        estimates = result.estimates()
        for name, est in estimates.items():
            self._add(name, est, option, device=used_device, environment=result.environment)
        throughput = estimates.get("throughput_per_s")
        if throughput is not None and throughput.value > 0:
            self._record_costs(
                option,
                used_device,
                lambda model, chosen: cost_estimates_from_throughput(model, chosen, throughput),
            )
        return result

    def record_tokens(
        self,
        input_tokens: int,
        output_tokens: int,
        queries: int,
        *,
        option: str | None = None,
    ) -> dict[str, Estimate]:
        """Record ``cost_per_1k_usd`` of an API model from token counts and the ADR's prices.

        ``input_tokens`` / ``output_tokens`` are totals over ``queries`` queries; the price per
        1k tokens comes from ``archgate.cost.prices`` for the option's ``model``.
        """
        check_number(input_tokens, "input_tokens", minimum=0.0)
        check_number(output_tokens, "output_tokens", minimum=0.0)
        check_int(queries, "queries", maximum=MAX_COUNT)
        return self._record_costs(
            option,
            None,
            lambda model, chosen: cost_estimate_from_tokens(
                model, chosen, input_tokens, output_tokens, queries
            ),
        )

    def _record_costs(
        self,
        option: str | None,
        device: str | None,
        make: Callable[[CostModel, str | None], Estimate | None],
    ) -> dict[str, Estimate]:
        """``cost_per_1k_usd`` per linked ADR: each ADR states its own prices."""
        recorded: dict[str, Estimate] = {}
        for link, chosen in self._targets(option):
            model = cost_model_of(link.adr)
            if model.empty:
                continue
            est = make(model, chosen)
            if est is None:
                continue
            self._append(
                Measurement(
                    adr=link.adr.id,
                    option=chosen,
                    metric="cost_per_1k_usd",
                    estimate=est,
                    nodeid=self.nodeid,
                    device=device or self._device,
                )
            )
            recorded[link.adr.id] = est
        return recorded


class CacheSettings:
    """The run's evaluation-cache settings, as the session resolved them.

    ``folder`` is called when a block first needs the folder (pytest's cache folder is made
    only then); ``commit`` when an entry is written; ``warn`` shows a refused entry.
    """

    def __init__(
        self,
        mode: str = "off",
        folder: Callable[[], Path | None] = lambda: None,
        max_age: float = 7 * 86400.0,
        root: Path = Path("."),
        commit: Callable[[], str | None] = lambda: None,
        warn: Callable[[str], None] = lambda message: None,
        scratch: Path | None = None,
        secret: str | None = None,
    ) -> None:
        self.mode = mode
        self._folder = folder
        self._resolved: tuple[Path | None] | None = None
        self.max_age = max_age
        self.root = root
        self._commit = commit
        self._commit_value: tuple[str | None] | None = None
        self.warn = warn
        self.scratch = scratch
        self.secret = secret

    @property
    def folder(self) -> Path | None:
        if self._resolved is None:
            self._resolved = (self._folder(),)
        return self._resolved[0]

    @property
    def commit(self) -> str | None:
        if self._commit_value is None:
            self._commit_value = (self._commit(),)
        return self._commit_value[0]


class CacheBlock:
    """One ``with archgate.cache(...)`` block; ``hit`` says whether the cache restored it."""

    def __init__(
        self,
        recorder: Archgate,
        settings: CacheSettings,
        material: dict[str, Any],
        allowed: dict[str, set[str | None]],
    ) -> None:
        from pytest_archgate.measure.cache import entry_path, key_of

        self._recorder = recorder
        self._settings = settings
        self._material = material
        self._allowed = allowed
        self.key = key_of(material)
        folder = settings.folder if settings.mode != "off" else None
        self.mode = settings.mode if folder is not None else "off"
        self.path = entry_path(folder, self.key) if folder is not None else None
        self.hit = False
        self.measurements: list[Measurement] = []
        self._start = 0
        self._entered = False

    @property
    def estimates(self) -> dict[str, Estimate]:
        """metric -> estimate of what the block restored or recorded (the last of each)."""
        return {m.metric: m.estimate for m in self.measurements}

    def __enter__(self) -> CacheBlock:
        if self._entered:
            raise MeasurementError("a cache block can be entered once", field="cache")
        self._entered = True
        entry = self._read() if self.mode in ("read", "write") else None
        if entry is not None:
            self._restore(entry)
        with self._recorder._lock:
            self._start = len(self._recorder.measurements)
        return self

    def _read(self) -> Entry | None:
        from pytest_archgate.measure.cache import CacheEntryError, load_entry

        folder = self._settings.folder
        assert folder is not None
        try:
            return load_entry(
                folder,
                self.key,
                material=self._material,
                allowed=self._allowed,
                max_age=self._settings.max_age,
                secret=self._settings.secret,
            )
        except CacheEntryError as exc:
            self._settings.warn(f"archgate: evaluation cache entry ignored, recomputed: {exc}")
            return None

    def _restore(self, entry: Entry) -> None:
        from dataclasses import replace

        from pytest_archgate.measure.cache import rows_to_file

        paths: dict[str, str] = {}
        scratch = self._settings.scratch
        restored: list[Measurement] = []
        for m in entry.measurements:
            rid = (m.cache or {}).get("rows")
            predictions = None
            if rid is not None and scratch is not None:
                if rid not in paths:
                    paths[rid] = rows_to_file(entry.rows[rid], scratch / f"{uuid.uuid4().hex}.npz")
                predictions = paths[rid]
            restored.append(replace(m, nodeid=self._recorder.nodeid, predictions=predictions))
        for m in restored:
            self._recorder._append(m)
            if m.cache is not None:
                self._recorder._cached_estimates[id(m.estimate)] = (m.estimate, m.cache)
        self.measurements = restored
        self.hit = True

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            return  # nothing is stored from a block that failed
        with self._recorder._lock:
            recorded = len(self._recorder.measurements) - self._start
        if self.hit:
            if recorded:
                raise MeasurementError(
                    f"the evaluation cache restored this block's measurements, and it recorded "
                    f"{recorded} more: skip the work when the block's hit is true",
                    field="cache",
                )
            return
        if self.mode not in ("write", "refresh") or not recorded:
            with self._recorder._lock:
                self.measurements = self._recorder.measurements[self._start :]
            return
        self._write()

    def _write(self) -> None:
        from pytest_archgate.measure.cache import (
            entry_data,
            new_origin,
            now_utc,
            rows_from_file,
            store_entry,
        )

        origin = new_origin()
        commit = self._settings.commit
        created = now_utc().isoformat(timespec="seconds")
        stored = self._recorder._mark(
            self._start, {"restored": False, "key": self.key, "origin": origin}
        )
        if stored is None:
            with self._recorder._lock:
                self.measurements = self._recorder.measurements[self._start :]
            self._settings.warn(
                f"archgate: evaluation cache entry {self.path} not stored: some measurements "
                "of the block were shipped before it ended (does it span a test's phases?)"
            )
            return
        self.measurements = stored
        rows = {}
        for m in stored:
            rid = (m.cache or {}).get("rows")
            if rid is not None and rid not in rows and m.predictions:
                rows[rid] = rows_from_file(m.predictions)
        folder = self._settings.folder
        assert folder is not None
        data = entry_data(
            self.key, self._material, stored, rows, origin=origin, commit=commit, created=created
        )
        try:
            store_entry(folder, self.key, data, secret=self._settings.secret)
        except (OSError, TypeError, ValueError) as exc:
            self._settings.warn(
                f"archgate: evaluation cache entry {self.path} not stored: "
                f"{getattr(exc, 'strerror', None) or exc}"
            )


def _check_shard(shard: object) -> tuple[int, int] | None:
    """``"k/K"`` (shard k of K, from 1) as ``(k, K)``; None when not a shard."""
    if shard is None:
        return None
    from pytest_archgate.measure.partial import MAX_SHARDS

    parts = shard.split("/") if isinstance(shard, str) else []
    if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
        k, total = int(parts[0]), int(parts[1])
        if 1 <= k <= total <= MAX_SHARDS:
            return k, total
    raise MeasurementError(
        f'must be "k/K", shard k of K with 1 <= k <= K <= {MAX_SHARDS}, got {short_repr(shard)}',
        field="shard",
    )


def _check_replicate(replicate: object) -> str | None:
    """``None`` (not a replicate) or a replicate id, named like a metric or option."""
    return None if replicate is None else check_name(replicate, "replicate")


def _check_ks(k: object, runs: int, metric: str) -> tuple[int, ...]:
    """``k`` of ``record_passes``: whole numbers from 1 to the number of runs, each once."""
    if isinstance(k, bool | str | bytes) or not isinstance(k, (numbers.Integral, Iterable)):
        raise MeasurementError(
            f"k must be a whole number or a list of them, got {short_repr(k)}", field=metric
        )
    items = [k] if isinstance(k, numbers.Integral) else list(k)
    out = []
    for x in items:
        kk = check_int(x, metric, minimum=1, maximum=runs, what="k")
        if kk not in out and kk != 1:
            out.append(kk)
    return tuple(out)


def _check_values(values: object, metric: str, what: str) -> list[float]:
    """At least two finite per-replicate values."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise MeasurementError(
            f"{what} must be a list of per-replicate values, got {short_repr(values)}",
            field=metric,
        )
    out = [check_number(v, metric, what=f"{what} value") for v in values]
    if len(out) < 2:
        raise MeasurementError(
            f"{what} has {len(out)} value(s): P(A > B) needs at least 2 replicates per side",
            field=metric,
        )
    return out
