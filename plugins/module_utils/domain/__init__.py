# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt domains: from a spec (or raw XML) to a converged guest.

The pipeline, in order::

    spec.validate      every bad value, with its path, before anything is read
    planner.plan       read each domain (definition with its secrets), build the XML
                       with the driver's profile (profiles), merge it into libvirt's
                       own tree (merge, ownership), compare (compare, rawxml), check
                       what a start needs (prechecks) and validate (schema): a Plan per
                       domain, nothing changed
    executor.apply     carry the plans out through service (define, start, stop, ...),
                       defining through redefine, waiting for lifecycle events
    results            one entry per domain; secrets masks what is returned

Entry points for other packages (use these, not the modules behind them):

- ``pipeline.converge(params, check_mode, diff, progress)``: the whole run of
  libvirt_domain, from its options to its result; ``pipeline.run()`` the same on an open
  connection; ``pipeline.SHUTDOWN_MODES``, ``pipeline.secret_values()`` and
  ``option_table.DOMAIN_OPTIONS`` for the module's argument spec and no_log values.
- ``redefine.read()``, ``redefine.edit()``, ``redefine.again()`` and ``redefine.define()``:
  the one way to change the definition of an existing domain (read with its secrets,
  edit, define, plan again when another client changed it meanwhile).
- ``profiles.for_domain()``: the driver profile of an existing domain (what device family
  and channel target it takes); ``compare.contains()``: whether libvirt's XML already holds
  an element; ``spec.channel_name_problem()``: the rule for channel names.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type
