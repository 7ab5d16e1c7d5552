"""course_lib's front page names every public module: in its docstring's list and in ``__all__``."""
import pkgutil
import re

import course_lib


def _public_modules():
    return sorted(m.name for m in pkgutil.iter_modules(course_lib.__path__) if not m.name.startswith("_"))


def test_every_public_module_is_in_the_docstrings_list_and_in_all():
    listed = re.findall(r"^- ``(\w+)``", course_lib.__doc__, flags=re.MULTILINE)
    assert sorted(listed) == _public_modules(), "the docstring's module list and the package disagree"
    missing = [name for name in _public_modules() if name not in course_lib.__all__]
    assert not missing, f"add these modules to course_lib.__all__: {missing}"


def test_star_import_brings_every_name_of_all():
    namespace = {}
    exec("from course_lib import *", namespace)  # noqa: S102 -- the import statement a user would write
    assert [name for name in course_lib.__all__ if name not in namespace] == []
    assert namespace["networks_extend"].MultiLayerNetExtend is not None and callable(namespace["interactive"].interact)
