# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one shape in which every module of this collection fails.

Only a module's ``main()`` calls :func:`fail`; shared code raises the typed exceptions of
``errors.py``. The shape is documented once, in the ``virtops.hypervisor.failure`` doc
fragment:

- ``msg``: one line a person reads;
- ``errors``: a list of ``{path, msg}``, one per bad value (``path`` names the option, the
  list item or the role variable; it is null for a failure that is not about one value);
- ``done``: the work already carried out before the failure, in the module's own terms
  (an empty list when nothing was changed);
- ``changed``: true when ``done`` is not empty, unless the module knows better.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.virtops.hypervisor.plugins.module_utils.errors import error_list

# Keys a module may not pass through ``extra``: they belong to the shape itself.
RESERVED = frozenset(("msg", "errors", "done", "changed", "failed"))


def failure_result(exc, done=None, changed=None, **extra):
    """The keyword arguments of ``fail_json`` for ``exc``; for tests and action plugins."""
    clash = RESERVED.intersection(extra)
    if clash:
        raise ValueError("failure_result: %s belong to the failure shape" % ", ".join(sorted(clash)))
    done = list(done or [])
    result = dict(extra)
    result.update({
        "msg": str(exc),
        "errors": error_list(exc),
        "done": done,
        "changed": bool(done) if changed is None else bool(changed),
    })
    return result


def fail(module, exc, done=None, changed=None, **extra):
    """End ``module`` with the failure of ``exc``; never returns."""
    module.fail_json(**failure_result(exc, done=done, changed=changed, **extra))
