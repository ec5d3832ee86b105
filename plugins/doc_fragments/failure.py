# -*- coding: utf-8 -*-
# Copyright: virtops.hypervisor contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r"""
options: {}
notes:
  - >-
    A failure has one shape in every module of this collection. C(msg) is one line to
    read. C(errors) lists every bad value as C({path, msg}), where C(path) names the
    option, the list item (C(domains[1].disks[0].bus)) or the role variable
    (C(kvm_host_listen_addr)); it is null for a failure that is not about one value.
    C(done) lists the work already carried out before the failure, in the module's own
    terms, and is empty when nothing was changed. C(changed) is true when C(done) is not
    empty. Bad input is always refused before anything is changed, so its C(done) is empty.
"""
