"""Stock policy of common (MTS) components, from the open order backlog (``pegboard policy``).

The usage comes from the engine (``engine/policy.py``): the open sales lines
exploded gross through their BOMs, averaged over a forward window. This module
adds what the database knows and the rules:

* **Inputs per item.** Lead time L = ``item.lead_time_days``. Its standard
  deviation σL comes from history: a buy item's receipts (days from the
  purchase order's confirmation, else its creation, to the line's first
  receipt move), a make item's completions (days from release, else creation,
  to the order's first completion move). With at least 3 observations σL is
  their sample standard deviation; with fewer it is 0 and said to be unknown.
  Costs and the service level are the item's ``item_policy`` row where set,
  else the company settings ``policy_ordering_cost`` (50), ``policy_holding_pct``
  (25 % of unit cost per year), ``policy_service_level`` (0.95); the window is
  ``window_days`` if given, else ``policy_window_days`` if set, else per item
  the calendar days its lead-time cover spans (its own lead time plus its
  parents' cumulative lead time, ``engine.policy.cover_days``), at least
  ``policy_min_window_days`` (28): the backlog that matters for the item.
* **Whole units.** Safety stock, reorder point, order quantity, suggested order
  and buffer zones are rounded up to the item's ``decimals`` (rule 7), the order
  quantity after ``min_qty`` and ``multiple``, as a planned order is.
* **Position** = free on-hand stock (not reserved for a sales order or a
  production order) + purchase lines in transit + open purchase lines not
  shipped + open production orders still to complete, counting only supply that
  is not reserved for a sales order (orders carrying a sales order are that
  order's, like reserved stock).
* **Reorder point policy** and **DDMRP buffers** (items flagged ``buffer``):
  see ``engine.policy.reorder_policy`` and ``buffer_zones``. For a buffer, the
  buffer decides: "below" means net flow position ≤ top of yellow, and the
  suggested order is the buffer's. The lead-time and variability factors are
  ``policy_lead_time_factor`` and ``policy_variability_factor`` (0.5 each).
* **apply** writes per item ``safety_stock`` := SS (buffer: top of red),
  ``min_qty`` := Q (buffer: green zone) and, for a ``foq`` item, ``lot_qty`` :=
  Q, rounded to 6 decimals, in one transaction with an audit entry per changed
  item; the next plan then keeps that safety stock and orders at least Q.

**Stored runs.** ``run_policy`` computes every MTS item at once (numpy arrays, no
formula text) and stores the result as the newest ``policy_run`` with one
``policy_line`` per item (the previous run's lines are replaced in the same
transaction). The list pages (``policy_page``), ``explain`` and ``apply`` read
those lines; each formula text is built from a line's numbers only when that item
is shown (``ItemPolicy.formulas``: ``engine.policy.reorder_policy`` on its inputs,
which gives the very figures the arrays did). Settings changed after a run take
effect at the next run.

``item_policy`` rows are not part of the bundle: an import replaces the company
and drops them (see ``company_data``).

**Where each part lives** (the adapters import the module they use; this package
holds nothing else): ``settings`` (the company defaults, an item's own settings and
their checks), ``inputs`` (what the database says beside the snapshot: position,
observed lead times, item columns), ``computation`` (every selected item at once, the
backlog's usage through the engine bridge ``services.snapshot``), ``item_policy`` (one
line and the texts built from it), ``runs`` (stored runs and their job), ``stored``
(a page of the latest run, the preview of ``apply``), ``explain`` and ``applying``.
"""
