"""The content catalog: plain Python, no Flask. See content/README.md for the layout."""

from .loader import Catalog, Problem, load_catalog
from .model import DEFAULT_REGION, Course, CourseView, Helpline, Module, Option, Question, Quiz

__all__ = [
    "Catalog",
    "Course",
    "CourseView",
    "DEFAULT_REGION",
    "Helpline",
    "Module",
    "Option",
    "Problem",
    "Question",
    "Quiz",
    "load_catalog",
]
