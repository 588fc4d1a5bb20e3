"""The content catalog: plain Python, no Flask. See content/README.md for the layout."""

from .loader import Catalog, load_catalog
from .model import (
    DEFAULT_REGION,
    EMERGENCY_SLOT,
    Course,
    CourseView,
    EmergencyNumber,
    Helpline,
    Module,
    Option,
    Question,
    Quiz,
    QuizRules,
    Statement,
)
from .yamlfile import Problem

__all__ = [
    "Catalog",
    "Course",
    "CourseView",
    "DEFAULT_REGION",
    "EMERGENCY_SLOT",
    "EmergencyNumber",
    "Helpline",
    "Module",
    "Option",
    "Problem",
    "Question",
    "Quiz",
    "QuizRules",
    "Statement",
    "load_catalog",
]
